using System.Net;
using System.Text;
using System.Text.Json;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// Every route and RPC × {no token, wrong token, right token, unknown Basic user} × {before, after /init}, and /files
/// × {valid, expired, forged, misused, missing signature} × {before, after /init}, as §2 of the reference says: before
/// /init everything is open; after it, only GET /health and the self-checking /init and /files pass without the token,
/// and the token changes nothing else about the answer.
/// </summary>
public sealed class AuthMatrixTests
{
    private const string Token = "matrix-token";
    private const string Rejection =
        "{\"code\":401,\"message\":\"unauthorized access, please provide a valid access token or method signing if supported\"}\n";

    /// <summary>A pid no kernel hands out (pid_max is at most 2^22), so process RPCs find nothing to act on.</summary>
    private const string NoPid = "{\"pid\":999999999}";

    /// <summary>Every route, with a body that is harmless to run: paths stay inside the server's temp dir.</summary>
    private static readonly Route[] Routes =
    [
        Rest("GET", "/health", exempt: true),
        Rest("GET", "/metrics"),
        Rest("GET", "/envs"),
        Rest("GET", "/files", exempt: true),
        Rest("POST", "/files", exempt: true),
        Rest("POST", "/files/compose"),
        Rest("POST", "/freeze"),
        Rest("POST", "/unfreeze"),
        Rest("POST", "/fsfreeze"),
        Rest("POST", "/fsthaw"),
        Rest("POST", "/collapse"),
        Rest("POST", "/upgrade"),
        Rest("GET", "/no-such-route"),
        Unary("filesystem.Filesystem/Stat", root => $$"""{"path":"{{root}}"}"""),
        Unary("filesystem.Filesystem/MakeDir", root => $$"""{"path":"{{root}}/made-{{Guid.NewGuid():N}}"}"""),
        Unary("filesystem.Filesystem/Move", root => $$"""{"source":"{{root}}/absent","destination":"{{root}}/moved"}"""),
        Unary("filesystem.Filesystem/ListDir", root => $$"""{"path":"{{root}}"}"""),
        Unary("filesystem.Filesystem/Remove", root => $$"""{"path":"{{root}}/absent"}"""),
        Stream("filesystem.Filesystem/WatchDir", root => $$"""{"path":"{{root}}"}"""),
        Unary("filesystem.Filesystem/CreateWatcher", root => $$"""{"path":"{{root}}"}"""),
        Unary("filesystem.Filesystem/GetWatcherEvents", _ => """{"watcherId":"wnone"}"""),
        Unary("filesystem.Filesystem/RemoveWatcher", _ => """{"watcherId":"wnone"}"""),
        Unary("process.Process/List", _ => "{}"),
        Stream("process.Process/Start", _ => """{"process":{"cmd":"/bin/true"},"stdin":false}"""),
        Stream("process.Process/Connect", _ => "{\"process\":" + NoPid + "}"),
        Unary("process.Process/Update", _ => "{\"process\":" + NoPid + "}"),
        Unary("process.Process/SendInput", _ => "{\"process\":" + NoPid + ",\"input\":{\"stdin\":\"eA==\"}}"),
        Stream("process.Process/StreamInput", _ => "{\"start\":{\"process\":" + NoPid + "}}"),
        Unary("process.Process/SendSignal", _ => "{\"process\":" + NoPid + ",\"signal\":\"SIGNAL_SIGTERM\"}"),
        Unary("process.Process/CloseStdin", _ => "{\"process\":" + NoPid + "}"),
    ];

    public static TheoryData<string> RouteNames => new(Routes.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(RouteNames))]
    public async Task Each_route_is_open_before_init_and_guarded_after_it(string name)
    {
        var route = Routes.Single(r => r.Name == name);
        await using var server = await EnvdServer.StartAsync();

        var open = await Send(server, route, token: null);
        foreach (var anyToken in new[] { "wrong", Token })
        {
            var answer = await Send(server, route, anyToken);
            Assert.False(IsRejection(answer), $"{name} with token '{anyToken}' before /init was refused by the token check");
            Assert.Equal(open.Status, answer.Status);
        }

        await InitWithToken(server);

        foreach (var badToken in new[] { null, "wrong", Token + "x", Token[..^1], "" })
        {
            var answer = await Send(server, route, badToken);
            if (route.Exempt)
            {
                Assert.False(IsRejection(answer), $"exempt {name} with token '{badToken}' was refused by the token check");
            }
            else
            {
                Assert.True(IsRejection(answer), $"{name} with token '{badToken}' answered {answer.Status}: {answer.Body}");
                Assert.Equal("application/json; charset=utf-8", answer.ContentType);
            }
        }

        var allowed = await Send(server, route, Token);
        Assert.False(IsRejection(allowed), $"{name} with the right token was refused");
        if (route.Path != "/upgrade")
        {
            Assert.Equal(open.Status, allowed.Status);
        }
    }

    [Theory]
    [MemberData(nameof(RouteNames))]
    public async Task An_unknown_basic_user_is_unauthenticated_on_every_route_once_the_token_passes(string name)
    {
        var route = Routes.Single(r => r.Name == name);
        await using var server = await EnvdServer.StartAsync();
        await InitWithToken(server);

        var answer = await Send(server, route, Token, basicUser: "no-such-user");

        if (route.Streaming)
        {
            Assert.Equal(200, answer.Status);
            Assert.Equal("unauthenticated", EndOfStreamCode(answer));
        }
        else
        {
            Assert.Equal(401, answer.Status);
            Assert.Equal("unauthenticated", JsonDocument.Parse(answer.Body).RootElement.GetProperty("code").GetString());
        }

        Assert.Contains("invalid username: 'no-such-user'", answer.Body);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task Files_signatures_are_ignored_before_init_and_checked_after_it(string method)
    {
        await using var server = await EnvdServer.StartAsync();
        var path = Path.Combine(server.Root, "signed.txt");
        await File.WriteAllTextAsync(path, "signed");
        var operation = method == "GET" ? "read" : "write";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signatures = new Dictionary<string, string>
        {
            ["valid"] = Sign(path, operation, Token, null),
            ["valid until later"] = Sign(path, operation, Token, now + 600),
            ["expired"] = Sign(path, operation, Token, now - 10),
            ["forged"] = Sign(path, operation, "not-the-token", null),
            ["for the other operation"] = Sign(path, operation == "read" ? "write" : "read", Token, null),
            ["for another path"] = Sign(path + "x", operation, Token, null),
            ["missing"] = string.Empty,
        };

        foreach (var (name, query) in signatures)
        {
            Assert.Equal(200, (await SendFiles(server, method, path, query)).Status);
        }

        await InitWithToken(server);

        var expected = new Dictionary<string, string?>
        {
            ["valid"] = null,
            ["valid until later"] = null,
            ["expired"] = "signature is already expired",
            ["forged"] = "invalid signature",
            ["for the other operation"] = "invalid signature",
            ["for another path"] = "invalid signature",
            ["missing"] = "missing signature query parameter",
        };
        foreach (var (name, query) in signatures)
        {
            var answer = await SendFiles(server, method, path, query);
            if (expected[name] is { } reason)
            {
                Assert.True(answer.Status == 401 && answer.Body.Contains(reason), $"{method} with a signature {name}: {answer.Status} {answer.Body}");
            }
            else
            {
                Assert.True(answer.Status == 200, $"{method} with a signature {name}: {answer.Status} {answer.Body}");
            }
        }
    }

    [Fact]
    public async Task Init_checks_the_token_in_its_body_whatever_the_header_says()
    {
        await using var server = await EnvdServer.StartAsync();
        await InitWithToken(server);

        var withoutToken = await PostInit(server, "{}", header: Token);
        var wrongToken = await PostInit(server, """{"accessToken":"wrong"}""", header: Token);
        var rightToken = await PostInit(server, $$"""{"accessToken":"{{Token}}"}""", header: null);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Contains("access token reset not authorized", await withoutToken.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Contains("access token validation failed", await wrongToken.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, rightToken.StatusCode);
    }

    /// <summary>The reference's signed-URL query: <c>v1_</c> + unpadded base64 of SHA-256 over <c>path:operation:username:token[:expiration]</c>.</summary>
    private static string Sign(string path, string operation, string token, long? expiration)
    {
        var raw = $"{path}:{operation}::{token}" + (expiration is { } e ? $":{e}" : string.Empty);
        var signature = "v1_" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(raw))).TrimEnd('=');
        return $"&signature={Uri.EscapeDataString(signature)}" + (expiration is { } x ? $"&signature_expiration={x}" : string.Empty);
    }

    private static async Task<Answer> SendFiles(EnvdServer server, string method, string path, string signatureQuery)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), $"/files?path={Uri.EscapeDataString(path)}{signatureQuery}");
        if (method == "POST")
        {
            request.Content = ConnectWire.Content("rewritten"u8.ToArray(), "application/octet-stream");
        }

        using var response = await server.Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new Answer((int)response.StatusCode, Encoding.UTF8.GetString(bytes), bytes, response.Content.Headers.ContentType?.ToString());
    }

    private static Route Rest(string method, string path, bool exempt = false) => new($"{method} {path}", method, path, exempt, false, null);

    private static Route Unary(string procedure, Func<string, string> body) => new(procedure, "POST", "/" + procedure, false, false, body);

    private static Route Stream(string procedure, Func<string, string> body) => new(procedure, "POST", "/" + procedure, false, true, body);

    private static bool IsRejection(Answer answer) => answer.Status == 401 && answer.Body == Rejection;

    private static string? EndOfStreamCode(Answer answer)
    {
        var bytes = answer.Bytes;
        var offset = 0;
        while (offset + 5 <= bytes.Length)
        {
            var length = (bytes[offset + 1] << 24) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 8) | bytes[offset + 4];
            if ((bytes[offset] & 0x02) != 0)
            {
                var end = JsonDocument.Parse(bytes.AsMemory(offset + 5, length)).RootElement;
                return end.TryGetProperty("error", out var error) ? error.GetProperty("code").GetString() : null;
            }

            offset += 5 + length;
        }

        return null;
    }

    private static async Task InitWithToken(EnvdServer server)
    {
        using var init = await PostInit(server, $$"""{"accessToken":"{{Token}}"}""", header: null);
        Assert.Equal(HttpStatusCode.NoContent, init.StatusCode);
    }

    private static Task<HttpResponseMessage> PostInit(EnvdServer server, string body, string? header)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/init") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (header is not null)
        {
            request.Headers.Add("X-Access-Token", header);
        }

        return server.Client.SendAsync(request);
    }

    private static async Task<Answer> Send(EnvdServer server, Route route, string? token, string? basicUser = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
        if (route.Body is { } body)
        {
            var json = body(server.Root);
            request.Content = route.Streaming
                ? ConnectWire.Content(ConnectWire.Envelope(json), "application/connect+json")
                : ConnectWire.Content(Encoding.UTF8.GetBytes(json), "application/json");
            request.Headers.Add("Connect-Protocol-Version", "1");

            // A watch or a process stream would otherwise stay open; its deadline ends it once the auth outcome is known.
            request.Headers.Add("Connect-Timeout-Ms", "300");
        }

        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Access-Token", token);
        }

        if (basicUser is not null)
        {
            request.Headers.Authorization = RpcCall.BasicUser(basicUser);
        }

        using var response = await server.Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new Answer((int)response.StatusCode, Encoding.UTF8.GetString(bytes), bytes, response.Content.Headers.ContentType?.ToString());
    }

    private sealed record Route(string Name, string Method, string Path, bool Exempt, bool Streaming, Func<string, string>? Body);

    private sealed record Answer(int Status, string Body, byte[] Bytes, string? ContentType);
}
