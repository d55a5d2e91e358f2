using System.Net;
using System.Net.Http.Json;
using Envd.Web.Tests.Infrastructure;
using static Envd.Web.Tests.Files.UploadTests;

namespace Envd.Web.Tests.Files;

public sealed class ComposeTests : IAsyncLifetime
{
    private EnvdServer _server = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
        _dir = Path.Combine(_server.Root, "files");
        Directory.CreateDirectory(_dir);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string[]> Sources(params string[] contents)
    {
        var paths = contents.Select((_, i) => Path.Combine(_dir, $"part-{i}")).ToArray();
        for (var i = 0; i < contents.Length; i++)
        {
            await File.WriteAllTextAsync(paths[i], contents[i]);
        }

        return paths;
    }

    [Fact]
    public async Task Sources_are_concatenated_in_order_into_a_user_owned_destination_and_then_deleted()
    {
        var sources = await Sources("one,", "two,", "three");
        var destination = Path.Combine(_dir, "new-dir", "joined.txt");

        using var response = await _server.Client.PostAsJsonAsync("/files/compose",
            new { source_paths = sources, destination, username = TestUsers.Regular });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = await response.Content.ReadFromJsonAsync<Entry>();
        Assert.Equal(new Entry(destination, "joined.txt", "file", null), entry);
        Assert.Equal("one,two,three", await File.ReadAllTextAsync(destination));
        Assert.Equal(FileSystemProbe.UidOf(TestUsers.Regular), FileSystemProbe.Owner(destination).Uid);
        Assert.All(sources, s => Assert.False(File.Exists(s)));
        Assert.Empty(FileSystemProbe.StagedFiles(_dir));
    }

    [Fact]
    public async Task A_missing_source_is_404_and_the_destination_stays_untouched()
    {
        var sources = await Sources("one");
        var destination = Path.Combine(_dir, "kept.txt");
        await File.WriteAllTextAsync(destination, "kept");

        using var response = await _server.Client.PostAsJsonAsync("/files/compose",
            new { source_paths = new[] { sources[0], "missing-part" }, destination });

        await AssertError(response, HttpStatusCode.NotFound, "source file not found: missing-part");
        Assert.Equal("kept", await File.ReadAllTextAsync(destination));
        Assert.True(File.Exists(sources[0]));
    }

    [Fact]
    public async Task Bad_requests_are_400()
    {
        var sources = await Sources("one");

        using var notJson = await _server.Client.PostAsync("/files/compose", new StringContent("{nope"));
        using var noSources = await _server.Client.PostAsJsonAsync("/files/compose", new { source_paths = Array.Empty<string>(), destination = "/tmp/x" });
        using var noDestination = await _server.Client.PostAsJsonAsync("/files/compose", new { source_paths = sources });
        using var same = await _server.Client.PostAsJsonAsync("/files/compose", new { source_paths = sources, destination = sources[0] });
        using var directory = await _server.Client.PostAsJsonAsync("/files/compose", new { source_paths = new[] { _dir }, destination = Path.Combine(_dir, "d") });

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.StartsWith("invalid request body: ", (await Error(notJson)).Message);
        await AssertError(noSources, HttpStatusCode.BadRequest, "source_paths must not be empty");
        await AssertError(noDestination, HttpStatusCode.BadRequest, "destination must not be empty");
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, directory.StatusCode);
        Assert.True(File.Exists(sources[0]));
    }

    [Fact]
    public async Task Compose_needs_the_access_token_once_one_is_set()
    {
        var sources = await Sources("one");
        using var init = await _server.Client.PostAsync("/init", new StringContent("""{"accessToken":"secret"}"""));
        var body = new { source_paths = sources, destination = Path.Combine(_dir, "out.txt") };

        using var without = await _server.Client.PostAsJsonAsync("/files/compose", body);
        var request = new HttpRequestMessage(HttpMethod.Post, "/files/compose") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Access-Token", "secret");
        using var with = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }
}
