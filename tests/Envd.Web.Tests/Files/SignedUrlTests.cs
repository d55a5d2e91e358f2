using System.Net;
using Envd.Web.Http;
using Envd.Web.Tests.Infrastructure;
using static Envd.Web.Tests.Files.UploadTests;

namespace Envd.Web.Tests.Files;

/// <summary>Once a token is set, /files takes either the token header or a signed URL.</summary>
public sealed class SignedUrlTests : IAsyncLifetime
{
    private const string Token = "secret-access-token";
    private EnvdServer _server = null!;
    private string _file = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
        _file = Path.Combine(_server.Root, "signed.txt");
        await File.WriteAllTextAsync(_file, "signed content");
        using var init = await _server.Client.PostAsync("/init", new StringContent($$"""{"accessToken":"{{Token}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, init.StatusCode);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Url(string operation, string? username = null, long? expiration = null, string? signature = null)
    {
        signature ??= FileSignature.Compute(_file, operation, username ?? string.Empty, Token, expiration);
        return $"/files?path={Uri.EscapeDataString(_file)}"
            + (username is null ? string.Empty : $"&username={username}")
            + $"&signature={Uri.EscapeDataString(signature)}"
            + (expiration is null ? string.Empty : $"&signature_expiration={expiration}");
    }

    [Fact]
    public async Task A_valid_signature_reads_and_writes()
    {
        var later = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300;

        using var read = await _server.Client.GetAsync(Url(FileSignature.Read, expiration: later));
        using var write = await _server.Client.PostAsync(Url(FileSignature.Write, TestUsers.Regular), Multipart.Raw("rewritten"u8.ToArray()));

        Assert.Equal("signed content", await read.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.Equal("rewritten", await File.ReadAllTextAsync(_file));
    }

    [Fact]
    public async Task Expired_wrong_missing_and_misused_signatures_are_401()
    {
        var past = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10;

        using var expired = await _server.Client.GetAsync(Url(FileSignature.Read, expiration: past));
        using var wrong = await _server.Client.GetAsync(Url(FileSignature.Read, signature: "v1_forged"));
        using var readForWrite = await _server.Client.PostAsync(
            Url(FileSignature.Write, signature: FileSignature.Compute(_file, FileSignature.Read, "", Token, null)), Multipart.Raw("x"u8.ToArray()));
        using var missing = await _server.Client.GetAsync($"/files?path={Uri.EscapeDataString(_file)}");

        await AssertError(expired, HttpStatusCode.Unauthorized, "signature is already expired");
        await AssertError(wrong, HttpStatusCode.Unauthorized, "invalid signature");
        await AssertError(readForWrite, HttpStatusCode.Unauthorized, "invalid signature");
        await AssertError(missing, HttpStatusCode.Unauthorized, "missing signature query parameter");
        Assert.Equal("signed content", await File.ReadAllTextAsync(_file));
    }

    [Fact]
    public async Task The_token_header_works_instead_and_a_wrong_one_is_refused()
    {
        var good = new HttpRequestMessage(HttpMethod.Get, $"/files?path={Uri.EscapeDataString(_file)}");
        good.Headers.Add("X-Access-Token", Token);
        var bad = new HttpRequestMessage(HttpMethod.Get, Url(FileSignature.Read));
        bad.Headers.Add("X-Access-Token", "wrong");

        using var goodResponse = await _server.Client.SendAsync(good);
        using var badResponse = await _server.Client.SendAsync(bad);

        Assert.Equal("signed content", await goodResponse.Content.ReadAsStringAsync());
        await AssertError(badResponse, HttpStatusCode.Unauthorized, "access token present in header but does not match");
    }

    [Fact]
    public async Task A_non_numeric_expiration_is_400()
    {
        using var response = await _server.Client.GetAsync($"/files?path=x&signature=v1_x&signature_expiration=soon");

        await AssertError(response, HttpStatusCode.BadRequest, "Invalid format for parameter signature_expiration: soon");
    }
}
