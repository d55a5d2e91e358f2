using System.Text.Json;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests.Connect.Filesystem;

/// <summary>The unary filesystem RPCs over the real daemon, called as the real user envdtest.</summary>
public sealed class FilesystemRpcTests : IAsyncLifetime
{
    private const string User = TestUsers.Regular;
    private EnvdServer _server = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
        _dir = Path.Combine(_server.Root, "fs");
        Directory.CreateDirectory(_dir);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Stat_returns_the_entry_info_the_sdk_reads()
    {
        var path = Path.Combine(_dir, "hello.txt");
        await File.WriteAllTextAsync(path, "hello");
        File.SetUnixFileMode(path, (UnixFileMode)0x1A4);

        var result = await Call("Stat", new { path });

        Assert.Equal(200, result.Status);
        var entry = result.Body.GetProperty("entry");
        Assert.Equal("hello.txt", entry.GetProperty("name").GetString());
        Assert.Equal("FILE_TYPE_FILE", entry.GetProperty("type").GetString());
        Assert.Equal(path, entry.GetProperty("path").GetString());
        Assert.Equal("5", entry.GetProperty("size").GetString());
        Assert.Equal(420, entry.GetProperty("mode").GetInt32());
        Assert.Equal("-rw-r--r--", entry.GetProperty("permissions").GetString());
        Assert.Equal("root", entry.GetProperty("owner").GetString());
        Assert.Equal("root", entry.GetProperty("group").GetString());
        Assert.True(DateTimeOffset.TryParse(entry.GetProperty("modifiedTime").GetString(), out _));
        Assert.False(entry.TryGetProperty("symlinkTarget", out _));
    }

    [Fact]
    public async Task Stat_of_a_missing_path_is_not_found()
    {
        var result = await Call("Stat", new { path = Path.Combine(_dir, "missing") });

        Assert.Equal(404, result.Status);
        Assert.Equal("not_found", result.ErrorCode);
    }

    [Fact]
    public async Task Relative_paths_resolve_against_the_users_home()
    {
        var name = $"envd-rel-{Guid.NewGuid():N}";
        try
        {
            var made = await Call("MakeDir", new { path = name });
            var stat = await Call("Stat", new { path = $"~/{name}" });

            Assert.Equal(200, made.Status);
            Assert.Equal($"{TestUsers.Home}/{name}", made.Body.GetProperty("entry").GetProperty("path").GetString());
            Assert.Equal(User, stat.Body.GetProperty("entry").GetProperty("owner").GetString());
        }
        finally
        {
            Directory.Delete(Path.Combine(TestUsers.Home, name), recursive: true);
        }
    }

    [Fact]
    public async Task A_user_specific_home_is_invalid_argument()
    {
        var result = await Call("Stat", new { path = "~root/x" });

        Assert.Equal("invalid_argument", result.ErrorCode);
    }

    [Fact]
    public async Task MakeDir_creates_every_missing_component_owned_by_the_user_then_reports_already_exists()
    {
        var path = Path.Combine(_dir, "made", "deep", "dir");

        var first = await Call("MakeDir", new { path });
        var second = await Call("MakeDir", new { path });

        Assert.Equal(200, first.Status);
        var entry = first.Body.GetProperty("entry");
        Assert.Equal("FILE_TYPE_DIRECTORY", entry.GetProperty("type").GetString());
        Assert.Equal(User, entry.GetProperty("owner").GetString());
        Assert.Equal(User, (await Call("Stat", new { path = Path.Combine(_dir, "made") })).Body.GetProperty("entry").GetProperty("owner").GetString());
        Assert.Equal(409, second.Status);
        Assert.Equal("already_exists", second.ErrorCode);
        Assert.Equal($"directory already exists: {path}", second.ErrorMessage);
    }

    [Fact]
    public async Task MakeDir_over_a_file_is_invalid_argument()
    {
        var path = Path.Combine(_dir, "file");
        await File.WriteAllTextAsync(path, "");

        var result = await Call("MakeDir", new { path });

        Assert.Equal("invalid_argument", result.ErrorCode);
        Assert.Equal($"path already exists but it is not a directory: {path}", result.ErrorMessage);
    }

    [Fact]
    public async Task Move_renames_into_new_directories_replacing_the_destination_and_keeps_ownership()
    {
        var source = Path.Combine(_dir, "a.txt");
        await File.WriteAllTextAsync(source, "moved");
        var destination = Path.Combine(_dir, "new", "b.txt");

        var result = await Call("Move", new { source, destination });

        Assert.Equal(200, result.Status);
        Assert.Equal(destination, result.Body.GetProperty("entry").GetProperty("path").GetString());
        Assert.Equal("root", result.Body.GetProperty("entry").GetProperty("owner").GetString());
        Assert.Equal("moved", await File.ReadAllTextAsync(destination));
        Assert.False(File.Exists(source));
        Assert.Equal(User, (await Call("Stat", new { path = Path.Combine(_dir, "new") })).Body.GetProperty("entry").GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Move_of_a_missing_source_is_not_found()
    {
        var result = await Call("Move", new { source = Path.Combine(_dir, "ghost"), destination = Path.Combine(_dir, "x") });

        Assert.Equal("not_found", result.ErrorCode);
        Assert.StartsWith("source file not found", result.ErrorMessage);
    }

    [Fact]
    public async Task ListDir_applies_depth_and_lists_a_symlinked_root_under_the_symlink()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "test-dir", "sub-dir-1"));
        Directory.CreateDirectory(Path.Combine(_dir, "test-dir", "sub-dir-2"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "test-dir", "sub-dir-1", "file.txt"), "");
        Directory.CreateSymbolicLink(Path.Combine(_dir, "alias"), Path.Combine(_dir, "test-dir"));

        var depth0 = await Call("ListDir", new { path = _dir });
        var depth3 = await Call("ListDir", new { path = _dir, depth = 3 });
        var viaLink = await Call("ListDir", new { path = Path.Combine(_dir, "alias"), depth = 1 });

        Assert.Equal(["alias", "test-dir"], Names(depth0));
        Assert.Equal(["alias", "test-dir", "sub-dir-1", "file.txt", "sub-dir-2"], Names(depth3));
        Assert.Equal(
            [Path.Combine(_dir, "alias", "sub-dir-1"), Path.Combine(_dir, "alias", "sub-dir-2")],
            viaLink.Body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task ListDir_errors_follow_upstream()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "plain"), "");
        File.CreateSymbolicLink(Path.Combine(_dir, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(_dir, "loop2"), "loop1");

        Assert.Equal("not_found", (await Call("ListDir", new { path = Path.Combine(_dir, "missing") })).ErrorCode);
        Assert.Equal("invalid_argument", (await Call("ListDir", new { path = Path.Combine(_dir, "plain") })).ErrorCode);
        Assert.Equal("failed_precondition", (await Call("ListDir", new { path = Path.Combine(_dir, "loop1") })).ErrorCode);
    }

    [Fact]
    public async Task Remove_deletes_recursively_and_a_missing_path_is_fine()
    {
        var tree = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "deep"));
        await File.WriteAllTextAsync(Path.Combine(tree, "deep", "f"), "");

        var first = await Call("Remove", new { path = tree });
        var again = await Call("Remove", new { path = tree });

        Assert.Equal(200, first.Status);
        Assert.Empty(first.Body.EnumerateObject());
        Assert.Equal(200, again.Status);
        Assert.False(Directory.Exists(tree));
    }

    [Fact]
    public async Task An_unknown_default_user_is_unauthenticated_for_rpcs_that_act_as_a_user()
    {
        using var init = await _server.Client.PostAsync("/init", new StringContent("""{"defaultUser":"no-such-user-here"}"""));

        var result = await RpcCall.Unary(_server.Client, "/filesystem.Filesystem/Stat", JsonSerializer.Serialize(new { path = "/" }));

        Assert.Equal(401, result.Status);
        Assert.Equal("unauthenticated", result.ErrorCode);
        Assert.Equal("invalid default user: 'no-such-user-here'", result.ErrorMessage);
    }

    private static List<string?> Names(RpcResult result) =>
        result.Body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();

    private Task<RpcResult> Call(string method, object body) =>
        RpcCall.Unary(_server.Client, $"/filesystem.Filesystem/{method}", JsonSerializer.Serialize(body), User);
}
