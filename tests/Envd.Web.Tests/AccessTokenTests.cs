using System.Net;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

/// <summary>The token middleware before and after <c>/init</c> sets a token, route by route.</summary>
public sealed class AccessTokenTests
{
    private const string Token = "secret-access-token";
    private const string Rejection =
        "{\"code\":401,\"message\":\"unauthorized access, please provide a valid access token or method signing if supported\"}\n";

    public static TheoryData<string, string> GuardedRoutes => new()
    {
        { "GET", "/metrics" },
        { "GET", "/envs" },
        { "POST", "/files/compose" },
        { "POST", "/process.Process/List" },
        { "GET", "/HEALTH" },
        { "POST", "/health" },
        { "GET", "/health/" },
        { "GET", "/no-such-route" },
    };

    [Theory]
    [InlineData("GET", "/metrics", HttpStatusCode.OK)]
    [InlineData("GET", "/envs", HttpStatusCode.OK)]
    [InlineData("GET", "/health", HttpStatusCode.NoContent)]
    public async Task Before_a_token_every_route_is_open_whatever_header_is_sent(string method, string path, HttpStatusCode expected)
    {
        await using var server = await EnvdServer.StartAsync();

        using var bare = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        using var wrong = await server.Client.SendAsync(WithToken(method, path, "wrong"));

        Assert.Equal(expected, bare.StatusCode);
        Assert.Equal(expected, wrong.StatusCode);
    }

    [Theory]
    [MemberData(nameof(GuardedRoutes))]
    public async Task After_a_token_a_missing_or_wrong_header_gets_the_401_json(string method, string path)
    {
        await using var server = await StartWithTokenAsync();

        foreach (var request in new[] { new HttpRequestMessage(new HttpMethod(method), path), WithToken(method, path, "wrong"), WithToken(method, path, Token + "x") })
        {
            using var response = await server.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal(Rejection, await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("GET", "/metrics", HttpStatusCode.OK)]
    [InlineData("GET", "/envs", HttpStatusCode.OK)]
    [InlineData("GET", "/health", HttpStatusCode.NoContent)]
    [InlineData("GET", "/no-such-route", HttpStatusCode.NotFound)]
    public async Task After_a_token_the_right_header_passes(string method, string path, HttpStatusCode expected)
    {
        await using var server = await StartWithTokenAsync();

        using var response = await server.Client.SendAsync(WithToken(method, path, Token));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Health_is_exempt_from_the_token()
    {
        await using var server = await StartWithTokenAsync();

        using var bare = await server.Client.GetAsync("/health");
        using var wrong = await server.Client.SendAsync(WithToken("GET", "/health", "wrong"));

        Assert.Equal(HttpStatusCode.NoContent, bare.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, wrong.StatusCode);
    }

    /// <summary>/files checks the token or a signature itself, with its own messages, instead of the middleware.</summary>
    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task Files_routes_reach_their_handler_which_asks_for_a_token_or_a_signature(string method)
    {
        await using var server = await StartWithTokenAsync();

        using var bare = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/files?path=/tmp/x"));
        using var wrong = await server.Client.SendAsync(WithToken(method, "/files?path=/tmp/x", "wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
        Assert.Contains("missing signature query parameter", await bare.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("access token present in header but does not match", await wrong.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Init_is_exempt_and_checks_the_body_token_itself()
    {
        await using var server = await StartWithTokenAsync();

        using var same = await server.Client.PostAsync("/init", new StringContent($$"""{"accessToken":"{{Token}}"}"""));

        Assert.Equal(HttpStatusCode.NoContent, same.StatusCode);
    }

    private static async Task<EnvdServer> StartWithTokenAsync()
    {
        var server = await EnvdServer.StartAsync();
        using var init = await server.Client.PostAsync("/init", new StringContent($$"""{"accessToken":"{{Token}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, init.StatusCode);
        return server;
    }

    private static HttpRequestMessage WithToken(string method, string path, string token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("X-Access-Token", token);
        return request;
    }
}
