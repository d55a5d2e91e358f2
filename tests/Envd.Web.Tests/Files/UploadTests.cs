using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Envd.Linux.Files;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests.Files;

public sealed class UploadTests : IAsyncLifetime
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

    private HttpClient Client => _server.Client;

    private static string Query(string path, string user = TestUsers.Regular) =>
        $"/files?path={Uri.EscapeDataString(path)}&username={user}";

    [Fact]
    public async Task A_multipart_part_goes_to_the_query_path_in_new_directories_owned_by_the_user()
    {
        var target = Path.Combine(_dir, "new", "deeper", "hello.txt");

        using var response = await Client.PostAsync(Query(target), Multipart.Files(("ignored-name.txt", "hello"u8.ToArray())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = await Entries(response);
        Assert.Equal([(target, "hello.txt", "file")], entries.Select(e => (e.Path, e.Name, e.Type)));
        Assert.Equal("hello", await File.ReadAllTextAsync(target));
        var uid = FileSystemProbe.UidOf(TestUsers.Regular);
        Assert.Equal(uid, FileSystemProbe.Owner(target).Uid);
        Assert.Equal(uid, FileSystemProbe.Owner(Path.Combine(_dir, "new")).Uid);
        Assert.Equal(uid, FileSystemProbe.Owner(Path.Combine(_dir, "new", "deeper")).Uid);
        Assert.Equal(0u, FileSystemProbe.Owner(_dir).Uid);
        Assert.Empty(FileSystemProbe.StagedFiles(_dir));
    }

    [Fact]
    public async Task Without_a_path_each_part_goes_to_its_full_file_name_in_part_order()
    {
        var parts = new[] { "b/second.txt", "a/first.txt", "c/d/third.txt" }
            .Select(p => (Path.Combine(_dir, p), Encoding.UTF8.GetBytes("content of " + p)))
            .ToArray();

        using var response = await Client.PostAsync($"/files?username={TestUsers.Regular}", Multipart.Files(parts));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(parts.Select(p => p.Item1), (await Entries(response)).Select(e => e.Path));
        foreach (var (path, content) in parts)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(path));
        }
    }

    [Fact]
    public async Task Parts_that_are_not_files_are_skipped_and_no_files_at_all_is_an_empty_answer()
    {
        var target = Path.Combine(_dir, "only.txt");
        using var mixed = await Client.PostAsync($"/files?username={TestUsers.Regular}", Multipart.Build(
            ("note", null, "not a file"u8.ToArray()),
            ("file", target, "the file"u8.ToArray())));
        using var none = await Client.PostAsync($"/files?username={TestUsers.Regular}", Multipart.Build(("note", null, "x"u8.ToArray())));

        Assert.Equal([target], (await Entries(mixed)).Select(e => e.Path));
        Assert.Equal("the file", await File.ReadAllTextAsync(target));
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Equal("[]", await none.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_raw_body_needs_a_path_and_is_written_whole()
    {
        var target = Path.Combine(_dir, "raw.bin");
        var content = RandomBytes(300_000);

        using var written = await Client.PostAsync(Query(target), Multipart.Raw(content));
        using var pathless = await Client.PostAsync($"/files?username={TestUsers.Regular}", Multipart.Raw(content));

        Assert.Equal(HttpStatusCode.OK, written.StatusCode);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        await AssertError(pathless, HttpStatusCode.BadRequest, "path query parameter is required for raw body upload");
    }

    [Fact]
    public async Task A_chunked_body_of_unknown_length_streams_in()
    {
        var target = Path.Combine(_dir, "chunked.bin");
        var content = RandomBytes(1_000_000);
        using var stream = new StreamContent(new NonSeekableStream(content));
        stream.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await Client.PostAsync(Query(target), stream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task Gzip_bodies_are_decompressed_for_raw_and_multipart_uploads()
    {
        var rawTarget = Path.Combine(_dir, "gz-raw.txt");
        var partTarget = Path.Combine(_dir, "gz-part.txt");
        var text = string.Concat(Enumerable.Repeat("compressible ", 10_000));

        var raw = new ByteArrayContent(Gzip(Encoding.UTF8.GetBytes(text)));
        raw.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        raw.Headers.ContentEncoding.Add("gzip");
        using var rawResponse = await Client.PostAsync(Query(rawTarget), raw);
        var multipart = Multipart.Files((partTarget, Encoding.UTF8.GetBytes(text)));
        var compressed = new ByteArrayContent(Gzip(await multipart.ReadAsByteArrayAsync()));
        compressed.Headers.ContentType = multipart.Headers.ContentType;
        compressed.Headers.ContentEncoding.Add("GZIP");
        using var partResponse = await Client.PostAsync($"/files?username={TestUsers.Regular}", compressed);

        Assert.Equal(HttpStatusCode.OK, rawResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, partResponse.StatusCode);
        Assert.Equal(text, await File.ReadAllTextAsync(rawTarget));
        Assert.Equal(text, await File.ReadAllTextAsync(partTarget));
    }

    [Fact]
    public async Task Bad_encodings_and_content_types_are_refused_and_corrupt_gzip_writes_nothing()
    {
        var target = Path.Combine(_dir, "never.txt");
        var brotli = Multipart.Raw("x"u8.ToArray());
        brotli.Headers.ContentEncoding.Add("br");
        var corrupt = Multipart.Raw("definitely not gzip"u8.ToArray());
        corrupt.Headers.ContentEncoding.Add("gzip");

        using var unsupportedEncoding = await Client.PostAsync(Query(target), brotli);
        using var corruptGzip = await Client.PostAsync(Query(target), corrupt);
        using var text = await Client.PostAsync(Query(target), new StringContent("x"));
        using var untyped = await Client.PostAsync(Query(target), new ByteArrayContent("x"u8.ToArray()));

        await AssertError(unsupportedEncoding, HttpStatusCode.BadRequest, "error decompressing request body: unsupported Content-Encoding: br");
        Assert.Equal(HttpStatusCode.BadRequest, corruptGzip.StatusCode);
        Assert.StartsWith("error decompressing request body", (await Error(corruptGzip)).Message);
        await AssertError(text, HttpStatusCode.BadRequest,
            "unsupported content type: text/plain; charset=utf-8, expected multipart/form-data or application/octet-stream");
        await AssertError(untyped, HttpStatusCode.BadRequest,
            "unsupported content type: , expected multipart/form-data or application/octet-stream");
        Assert.False(File.Exists(target));
        Assert.Empty(FileSystemProbe.StagedFiles(_dir));
    }

    [Fact]
    public async Task Relative_paths_and_tilde_resolve_against_the_users_home()
    {
        var name = $"envd-upload-{Guid.NewGuid():N}";
        try
        {
            using var relative = await Client.PostAsync(Query($"{name}/rel.txt"), Multipart.Raw("relative"u8.ToArray()));
            using var tilde = await Client.PostAsync(Query($"~/{name}/tilde.txt"), Multipart.Raw("tilde"u8.ToArray()));
            using var otherHome = await Client.PostAsync(Query("~root/x.txt"), Multipart.Raw("x"u8.ToArray()));

            Assert.Equal($"{TestUsers.Home}/{name}/rel.txt", (await Entries(relative)).Single().Path);
            Assert.Equal($"{TestUsers.Home}/{name}/tilde.txt", (await Entries(tilde)).Single().Path);
            Assert.Equal("relative", await File.ReadAllTextAsync($"{TestUsers.Home}/{name}/rel.txt"));
            await AssertError(otherHome, HttpStatusCode.BadRequest, "cannot expand user-specific home dir");
        }
        finally
        {
            Directory.Delete($"{TestUsers.Home}/{name}", recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_username_the_default_user_root_owns_the_file()
    {
        var target = Path.Combine(_dir, "root-owned.txt");

        using var response = await Client.PostAsync($"/files?path={Uri.EscapeDataString(target)}", Multipart.Raw("x"u8.ToArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((0u, 0u), FileSystemProbe.Owner(target));
    }

    [Fact]
    public async Task Unknown_or_empty_usernames_are_refused()
    {
        var target = Path.Combine(_dir, "x.txt");

        using var unknown = await Client.PostAsync(Query(target, "no-such-user-envd"), Multipart.Raw("x"u8.ToArray()));
        using var empty = await Client.PostAsync($"/files?path={Uri.EscapeDataString(target)}&username=", Multipart.Raw("x"u8.ToArray()));

        await AssertError(unknown, HttpStatusCode.Unauthorized, "error looking up user 'no-such-user-envd': user: unknown user no-such-user-envd");
        Assert.Equal(HttpStatusCode.Unauthorized, empty.StatusCode);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Overwriting_keeps_the_mode_hands_the_file_to_the_user_and_replaces_it_whole()
    {
        var target = Path.Combine(_dir, "existing.sh");
        await File.WriteAllTextAsync(target, "old content that is longer than the new one");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        var before = new FileInfo(target).LastWriteTimeUtc;

        using var response = await Client.PostAsync(Query(target), Multipart.Raw("new"u8.ToArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("new", await File.ReadAllTextAsync(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead, File.GetUnixFileMode(target));
        Assert.Equal(FileSystemProbe.UidOf(TestUsers.Regular), FileSystemProbe.Owner(target).Uid);
        Assert.True(new FileInfo(target).LastWriteTimeUtc >= before);
    }

    [Fact]
    public async Task A_symlink_target_is_written_through_and_the_link_stays()
    {
        var real = Path.Combine(_dir, "real.txt");
        var link = Path.Combine(_dir, "link.txt");
        await File.WriteAllTextAsync(real, "old");
        File.CreateSymbolicLink(link, real);

        using var response = await Client.PostAsync(Query(link), Multipart.Raw("through the link"u8.ToArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(link, (await Entries(response)).Single().Path);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Equal("through the link", await File.ReadAllTextAsync(real));
    }

    [Fact]
    public async Task Directories_cannot_be_overwritten_and_files_cannot_be_parents()
    {
        var file = Path.Combine(_dir, "plain.txt");
        await File.WriteAllTextAsync(file, "x");

        using var directory = await Client.PostAsync(Query(_dir), Multipart.Raw("x"u8.ToArray()));
        using var underFile = await Client.PostAsync(Query(Path.Combine(file, "child.txt")), Multipart.Raw("x"u8.ToArray()));

        await AssertError(directory, HttpStatusCode.BadRequest, $"path is a directory: {_dir}");
        await AssertError(underFile, HttpStatusCode.InternalServerError, $"error ensuring directories: path is a file: {file}");
    }

    [Fact]
    public async Task Two_parts_for_one_path_keep_the_first_and_refuse_the_second()
    {
        var target = Path.Combine(_dir, "once.txt");

        using var response = await Client.PostAsync(Query(target), Multipart.Files(("a", "first"u8.ToArray()), ("b", "second"u8.ToArray())));

        await AssertError(response, HttpStatusCode.BadRequest,
            $"you cannot upload multiple files to the same path '{target}' in one upload request, only the first specified file was uploaded");
        Assert.Equal("first", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task A_part_without_a_file_name_needs_a_query_path()
    {
        using var response = await Client.PostAsync($"/files?username={TestUsers.Regular}", Multipart.Build(("file", null, "x"u8.ToArray())));

        await AssertError(response, HttpStatusCode.BadRequest,
            "error getting multipart custom part file name: filename not found in Content-Disposition header");
    }

    [Fact]
    public async Task Paths_with_spaces_quotes_and_utf8_survive_both_the_query_and_the_part_name()
    {
        var viaQuery = Path.Combine(_dir, "with space", "say \"hi\" & 100% + ünïcødé 文档.txt");
        var viaPart = Path.Combine(_dir, "parts", "it's \"quoted\" 文档 +%.txt");

        using var query = await Client.PostAsync(Query(viaQuery), Multipart.Files(("whatever", "q"u8.ToArray())));
        using var part = await Client.PostAsync($"/files?username={TestUsers.Regular}", Multipart.Files((viaPart, "p"u8.ToArray())));

        Assert.Equal(viaQuery, (await Entries(query)).Single().Path);
        Assert.Equal(viaPart, (await Entries(part)).Single().Path);
        Assert.Equal("q", await File.ReadAllTextAsync(viaQuery));
        Assert.Equal("p", await File.ReadAllTextAsync(viaPart));
    }

    [Fact]
    public async Task Metadata_headers_become_user_xattrs_returned_in_every_entry_and_replace_the_old_ones()
    {
        var target = Path.Combine(_dir, "meta.txt");
        var first = Multipart.Raw("v1"u8.ToArray());
        first.Headers.Add("X-Metadata-Author", "demo");
        first.Headers.Add("x-metadata-stale", "gone soon");
        using var _ = await Client.PostAsync(Query(target), first);
        var second = Multipart.Raw("v2"u8.ToArray());
        second.Headers.Add("X-Metadata-Author", "demo");
        second.Headers.Add("X-Metadata-Purpose", "Trace");

        using var response = await Client.PostAsync(Query(target), second);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = new Dictionary<string, string> { ["author"] = "demo", ["purpose"] = "Trace" };
        Assert.Equal(expected, (await Entries(response)).Single().Metadata);
        Assert.Equal(expected, ExtendedAttributes.ReadMetadata(target));
    }

    [Fact]
    public async Task An_upload_without_metadata_clears_it_and_leaves_it_out_of_the_entry()
    {
        var target = Path.Combine(_dir, "meta-cleared.txt");
        var tagged = Multipart.Raw("v1"u8.ToArray());
        tagged.Headers.Add("X-Metadata-Author", "demo");
        using var _ = await Client.PostAsync(Query(target), tagged);

        using var response = await Client.PostAsync(Query(target), Multipart.Raw("v2"u8.ToArray()));

        Assert.DoesNotContain("metadata", await response.Content.ReadAsStringAsync());
        Assert.Empty(ExtendedAttributes.ReadMetadata(target));
    }

    [Fact]
    public async Task Invalid_metadata_is_refused_before_anything_is_written()
    {
        var target = Path.Combine(_dir, "bad-meta.txt");
        var longKey = Multipart.Raw("x"u8.ToArray());
        longKey.Headers.Add("X-Metadata-" + new string('k', 247), "v");
        var tooMuch = Multipart.Raw("x"u8.ToArray());
        tooMuch.Headers.Add("X-Metadata-a", new string('v', 2100));
        tooMuch.Headers.Add("X-Metadata-b", new string('v', 2100));

        using var longKeyResponse = await Client.PostAsync(Query(target), longKey);
        using var tooMuchResponse = await Client.PostAsync(Query(target), tooMuch);

        Assert.Equal(HttpStatusCode.BadRequest, longKeyResponse.StatusCode);
        Assert.StartsWith("invalid metadata: ", (await Error(longKeyResponse)).Message);
        Assert.Equal(HttpStatusCode.BadRequest, tooMuchResponse.StatusCode);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Thirty_two_concurrent_uploads_arrive_byte_exact()
    {
        var uploads = Enumerable.Range(0, 32)
            .Select(i => (Path: Path.Combine(_dir, "concurrent", $"file-{i}.bin"), Content: RandomBytes(256 * 1024 + i * 977)))
            .ToArray();

        var responses = await Task.WhenAll(uploads.Select(async (u, i) =>
        {
            using var content = i % 2 == 0 ? Multipart.Raw(u.Content) : Multipart.Files((u.Path, u.Content));
            using var response = await Client.PostAsync(i % 2 == 0 ? Query(u.Path) : $"/files?username={TestUsers.Regular}", content);
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        foreach (var (path, content) in uploads)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(path));
        }

        Assert.Empty(FileSystemProbe.StagedFiles(_dir));
    }

    [Fact]
    public async Task Concurrent_uploads_to_one_path_never_mix()
    {
        var target = Path.Combine(_dir, "contended.bin");
        var versions = Enumerable.Range(0, 8).Select(i => Enumerable.Repeat((byte)('a' + i), 512 * 1024).ToArray()).ToArray();

        var statuses = await Task.WhenAll(versions.Select(async v =>
        {
            using var response = await Client.PostAsync(Query(target), Multipart.Raw(v));
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var final = await File.ReadAllBytesAsync(target);
        Assert.Contains(versions, v => v.AsSpan().SequenceEqual(final));
        Assert.Empty(FileSystemProbe.StagedFiles(_dir));
    }

    internal static async Task<List<Entry>> Entries(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<List<Entry>>(body, JsonSerializerOptions.Web)!;
    }

    internal static async Task<ErrorBody> Error(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<ErrorBody>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
    }

    internal static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var error = await Error(response);
        Assert.Equal((int)status, error.Code);
        Assert.Equal(message, error.Message);
    }

    internal static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    internal static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    internal sealed record Entry(string Path, string Name, string Type, Dictionary<string, string>? Metadata);

    internal sealed record ErrorBody(int Code, string Message);

    /// <summary>Hides the length, so HttpClient sends the body chunked like the SDK's fetch does.</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
