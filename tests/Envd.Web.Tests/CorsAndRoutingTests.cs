using System.Net;
using System.Text;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

public sealed class CorsAndRoutingTests
{
    private static readonly string[] ExposedHeaders =
    [
        "Content-Encoding", "Connect-Content-Encoding", "Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin",
        "Location", "Cache-Control", "X-Content-Type-Options",
    ];

    [Fact]
    public async Task A_preflight_is_answered_before_the_token_check_with_a_two_hour_max_age()
    {
        await using var server = await EnvdServer.StartAsync();
        using var init = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"t"}"""));

        using var request = new HttpRequestMessage(HttpMethod.Options, "/process.Process/Start");
        request.Headers.Add("Origin", "https://app.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "connect-protocol-version, x-access-token, content-type");
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("7200", Header(response, "Access-Control-Max-Age"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods").Split(','));
        var allowed = Header(response, "Access-Control-Allow-Headers").Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("x-access-token", allowed);
        Assert.Contains("connect-protocol-version", allowed);
    }

    [Fact]
    public async Task A_simple_request_gets_the_origin_wildcard_and_the_exposed_headers()
    {
        await using var server = await EnvdServer.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/envs");
        request.Headers.Add("Origin", "https://app.example");
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal(
            ExposedHeaders.Order(StringComparer.OrdinalIgnoreCase),
            Header(response, "Access-Control-Expose-Headers").Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_json_error()
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await server.Client.GetAsync("/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"code\":404,\"message\":\"404 page not found\"}\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("POST", "/envs")]
    [InlineData("DELETE", "/metrics")]
    [InlineData("GET", "/init")]
    [InlineData("PUT", "/health")]
    public async Task A_wrong_method_is_a_405_json_error(string method, string path)
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("{\"code\":405,\"message\":\"method not allowed\"}\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_basic_auth_user_is_refused_as_unauthenticated_on_any_route()
    {
        await using var server = await EnvdServer.StartAsync();

        foreach (var path in new[] { "/envs", "/metrics", "/health" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("no-such-user:")));
            using var response = await server.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
            Assert.Equal("{\"code\":\"unauthenticated\",\"message\":\"invalid username: 'no-such-user'\"}", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_known_basic_auth_user_passes()
    {
        await using var server = await EnvdServer.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/envs");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("root:")));
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        string.Join(',', response.Headers.TryGetValues(name, out var values) ? values : response.Content.Headers.GetValues(name));
}
