using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Envd.Web.Tests.Infrastructure;
using static Envd.Web.Tests.Files.UploadTests;

namespace Envd.Web.Tests.Files;

public sealed class DownloadTests : IAsyncLifetime
{
    private EnvdServer _server = null!;
    private string _dir = null!;
    private string _file = null!;
    private byte[] _content = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
        _dir = Path.Combine(_server.Root, "files");
        Directory.CreateDirectory(_dir);
        _file = Path.Combine(_dir, "data.bin");
        _content = RandomBytes(200_000);
        await File.WriteAllBytesAsync(_file, _content);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Query(string path) => $"/files?path={Uri.EscapeDataString(path)}";

    private Task<HttpResponseMessage> Get(string path, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Query(path));
        headers?.Invoke(request.Headers);
        return _server.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_file_comes_back_whole_with_its_headers()
    {
        using var response = await Get(_file);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(_content.Length, response.Content.Headers.ContentLength);
        Assert.Equal("inline; filename=data.bin", response.Content.Headers.GetValues("Content-Disposition").Single());
        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(_file)).ToUnixTimeSeconds(), response.Content.Headers.LastModified?.ToUnixTimeSeconds());
        Assert.NotNull(response.Headers.ETag);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
    }

    [Fact]
    public async Task Names_that_are_not_tokens_are_quoted_or_encoded_in_the_disposition()
    {
        var spaced = Path.Combine(_dir, "my document.pdf");
        var unicode = Path.Combine(_dir, "文档.pdf");
        await File.WriteAllTextAsync(spaced, "a");
        await File.WriteAllTextAsync(unicode, "b");

        using var spacedResponse = await Get(spaced);
        using var unicodeResponse = await Get(unicode);

        Assert.Equal("inline; filename=\"my document.pdf\"", spacedResponse.Content.Headers.GetValues("Content-Disposition").Single());
        Assert.Equal("inline; filename*=utf-8''%E6%96%87%E6%A1%A3.pdf", unicodeResponse.Content.Headers.GetValues("Content-Disposition").Single());
        Assert.Equal("b", await unicodeResponse.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ranges_give_206_with_the_slice_and_416_when_unsatisfiable()
    {
        using var partial = await Get(_file, h => h.Range = new RangeHeaderValue(1000, 1999));
        using var tail = await Get(_file, h => h.Range = new RangeHeaderValue(null, 10));
        using var beyond = await Get(_file, h => h.Range = new RangeHeaderValue(_content.Length + 10, null));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(_content[1000..2000], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 1000-1999/{_content.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(_content[^10..], await tail.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
    }

    [Fact]
    public async Task Conditional_requests_answer_304_and_412()
    {
        using var first = await Get(_file);
        var etag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;

        using var sameTag = await Get(_file, h => h.IfNoneMatch.Add(etag));
        using var notModified = await Get(_file, h => h.IfModifiedSince = lastModified);
        using var otherTag = await Get(_file, h => h.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\"")));
        using var changedSince = await Get(_file, h => h.IfUnmodifiedSince = lastModified.AddDays(-1));

        Assert.Equal(HttpStatusCode.NotModified, sameTag.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherTag.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, changedSince.StatusCode);
    }

    [Fact]
    public async Task An_upload_changes_the_entity_tag()
    {
        using var before = await Get(_file);
        using var upload = await _server.Client.PostAsync(Query(_file), Multipart.Raw("replaced"u8.ToArray()));

        using var after = await Get(_file, h => h.IfNoneMatch.Add(before.Headers.ETag!));

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("replaced", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Gzip_is_used_when_accepted_and_ranges_force_identity()
    {
        using var gzipped = await Get(_file, h => h.AcceptEncoding.ParseAdd("gzip, deflate"));
        using var ranged = await Get(_file, h =>
        {
            h.AcceptEncoding.ParseAdd("gzip");
            h.Range = new RangeHeaderValue(0, 99);
        });
        using var preferIdentity = await Get(_file, h => h.AcceptEncoding.ParseAdd("gzip;q=0.5, identity"));

        Assert.Equal(HttpStatusCode.OK, gzipped.StatusCode);
        Assert.Equal(["gzip"], gzipped.Content.Headers.ContentEncoding);
        Assert.True(gzipped.Headers.TransferEncodingChunked);
        await using (var gzip = new GZipStream(await gzipped.Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        {
            using var decoded = new MemoryStream();
            await gzip.CopyToAsync(decoded);
            Assert.Equal(_content, decoded.ToArray());
        }

        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Empty(ranged.Content.Headers.ContentEncoding);
        Assert.Equal(_content[..100], await ranged.Content.ReadAsByteArrayAsync());
        Assert.Empty(preferIdentity.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Refusing_every_encoding_we_have_is_406()
    {
        using var refused = await Get(_file, h => h.AcceptEncoding.ParseAdd("identity;q=0"));
        using var refusedRange = await Get(_file, h =>
        {
            h.AcceptEncoding.ParseAdd("gzip, identity;q=0");
            h.Range = new RangeHeaderValue(0, 1);
        });

        await AssertError(refused, HttpStatusCode.NotAcceptable, "error parsing Accept-Encoding: no acceptable encoding found, supported: [gzip]");
        Assert.Equal(HttpStatusCode.NotAcceptable, refusedRange.StatusCode);
    }

    [Fact]
    public async Task Missing_files_directories_bad_paths_and_unknown_users_are_json_errors()
    {
        var missing = Path.Combine(_dir, "missing.txt");

        using var notFound = await Get(missing);
        using var directory = await Get(_dir);
        using var otherHome = await Get("~root/x");
        using var unknownUser = await _server.Client.GetAsync($"{Query(_file)}&username=no-such-user-envd");

        await AssertError(notFound, HttpStatusCode.NotFound, $"path '{missing}' does not exist");
        await AssertError(directory, HttpStatusCode.BadRequest, $"path '{_dir}' is a directory");
        await AssertError(otherHome, HttpStatusCode.BadRequest, "cannot expand user-specific home dir");
        await AssertError(unknownUser, HttpStatusCode.Unauthorized, "error looking up user 'no-such-user-envd': user: unknown user no-such-user-envd");
    }

    [Fact]
    public async Task Relative_paths_read_from_the_users_home()
    {
        var name = $"envd-download-{Guid.NewGuid():N}.txt";
        await File.WriteAllTextAsync(Path.Combine(TestUsers.Home, name), "from home");
        try
        {
            using var response = await _server.Client.GetAsync($"/files?path={name}&username={TestUsers.Regular}");

            Assert.Equal("from home", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            File.Delete(Path.Combine(TestUsers.Home, name));
        }
    }
}
