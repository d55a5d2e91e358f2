using System.Net;
using System.Text.Json;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

public sealed class InitApiTests
{
    private const string Version = "0.6.11";

    [Fact]
    public async Task An_init_answers_204_with_the_version_and_no_store()
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await Init(server, """{"envVars":{"A":"1"}}""");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Version, response.Headers.GetValues("X-Envd-Version").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{}")]
    public async Task An_empty_init_is_accepted(string body)
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await Init(server, body);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("{", "invalid JSON body")]
    [InlineData("[1]", "request body must be a JSON object")]
    [InlineData("""{"accessToken":""}""", "accessToken must not be empty")]
    [InlineData("""{"accessToken":"a\"b"}""", "accessToken must be a string without escape sequences")]
    [InlineData("""{"accessToken":5}""", "accessToken must be a string without escape sequences")]
    [InlineData("""{"timestamp":"yesterday"}""", "timestamp is not an RFC 3339 date-time: yesterday")]
    [InlineData("""{"envVars":{"A":1}}""", "invalid JSON body")]
    [InlineData("""{"volumeMounts":[{"path":"/mnt"}]}""", "invalid JSON body")]
    public async Task A_bad_body_is_a_400_json_error_with_the_version(string body, string message)
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await Init(server, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Version, response.Headers.GetValues("X-Envd-Version").Single());
        var error = await ErrorOf(response);
        Assert.Equal(400, error.Code);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_json_error_with_the_version()
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await Init(server, "{\"caBundle\":\"" + new string('A', 9 * 1024 * 1024) + "\"}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(Version, response.Headers.GetValues("X-Envd-Version").Single());
        Assert.Equal(413, (await ErrorOf(response)).Code);
    }

    [Fact]
    public async Task A_bad_body_changes_nothing()
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await Init(server, """{"envVars":{"A":"1"},"accessToken":""}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False((await Envs(server)).ContainsKey("A"));
    }

    [Fact]
    public async Task The_same_token_re_inits_another_is_refused_and_a_reset_needs_the_token_holder()
    {
        await using var server = await EnvdServer.StartAsync();
        using var first = await Init(server, """{"accessToken":"token-1","envVars":{"A":"1"}}""");
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);

        using var same = await Init(server, """{"accessToken":"token-1","envVars":{"A":"2"}}""");
        using var other = await Init(server, """{"accessToken":"token-2","envVars":{"A":"3"}}""");
        using var reset = await Init(server, """{"envVars":{"A":"4"}}""");

        Assert.Equal(HttpStatusCode.NoContent, same.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Equal(Version, other.Headers.GetValues("X-Envd-Version").Single());
        Assert.Equal((401, "access token validation failed"), await ErrorOf(other));
        Assert.Equal(HttpStatusCode.Unauthorized, reset.StatusCode);
        Assert.Equal(Version, reset.Headers.GetValues("X-Envd-Version").Single());
        Assert.Equal((401, "access token reset not authorized"), await ErrorOf(reset));
        Assert.Equal("2", (await Envs(server, "token-1"))["A"]);
    }

    [Fact]
    public async Task Only_a_fresh_timestamp_applies_but_a_stale_one_still_answers_204()
    {
        await using var server = await EnvdServer.StartAsync();
        var now = DateTimeOffset.UtcNow;

        using var fresh = await Init(server, $$$"""{"timestamp":"{{{Rfc3339(now)}}}","envVars":{"A":"fresh"}}""");
        using var stale = await Init(server, $$$"""{"timestamp":"{{{Rfc3339(now.AddMilliseconds(-1))}}}","envVars":{"A":"stale"},"accessToken":"t"}""");

        Assert.Equal(HttpStatusCode.NoContent, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, stale.StatusCode);
        Assert.Equal("fresh", (await Envs(server))["A"]);

        using var tie = await Init(server, $$$"""{"timestamp":"{{{Rfc3339(now)}}}","envVars":{"A":"tie"}}""");
        Assert.Equal("tie", (await Envs(server))["A"]);
    }

    [Fact]
    public async Task Go_timestamps_with_nanoseconds_and_offsets_are_ordered_correctly()
    {
        await using var server = await EnvdServer.StartAsync();

        using var first = await Init(server, """{"timestamp":"2026-05-01T10:00:00.123456789+02:00","envVars":{"A":"first"}}""");
        using var older = await Init(server, """{"timestamp":"2026-05-01T08:00:00.1234567Z","envVars":{"A":"older"}}""");
        using var newer = await Init(server, """{"timestamp":"2026-05-01T08:00:00.1234568Z","envVars":{"A":"newer"}}""");

        Assert.Equal(HttpStatusCode.NoContent, older.StatusCode);
        Assert.Equal("newer", (await Envs(server))["A"]);
    }

    [Fact]
    public async Task EnvVars_replace_the_user_set_and_envs_lists_them_with_the_internal_ones()
    {
        await using var server = await EnvdServer.StartAsync();
        using var first = await Init(server, """{"envVars":{"A":"1","B":"2"}}""");

        using var second = await Init(server, """{"envVars":{"B":"3","C":"4","E2B_SANDBOX":"true"}}""");
        using var response = await server.Client.GetAsync("/envs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("}\n", text);
        var envs = JsonSerializer.Deserialize<Dictionary<string, string>>(text)!;
        Assert.Equal(new Dictionary<string, string> { ["B"] = "3", ["C"] = "4", ["E2B_SANDBOX"] = "false" }, envs);

        using var cleared = await Init(server, """{"envVars":{}}""");
        Assert.Equal(new Dictionary<string, string> { ["E2B_SANDBOX"] = "false" }, await Envs(server));
    }

    [Fact]
    public async Task Envs_are_written_as_sent_without_escaping_quotes_or_non_ascii_text()
    {
        await using var server = await EnvdServer.StartAsync();
        using var init = await Init(server, """{"envVars":{"GREETING":"it's café"}}""");

        var text = await server.Client.GetStringAsync("/envs");

        Assert.Contains("\"GREETING\":\"it's café\"", text);
    }

    [Fact]
    public async Task An_init_without_envVars_keeps_them()
    {
        await using var server = await EnvdServer.StartAsync();
        using var first = await Init(server, """{"envVars":{"A":"1"}}""");

        using var second = await Init(server, """{"defaultUser":"user"}""");

        Assert.Equal("1", (await Envs(server))["A"]);
    }

    [Fact]
    public async Task The_hyperloop_ip_rewrites_the_hosts_file_and_exports_the_events_address()
    {
        await using var server = await EnvdServer.StartAsync();
        File.WriteAllText(server.Settings.HostsPath, "127.0.0.1 localhost\n");

        using var response = await Init(server, """{"hyperloopIP":"192.0.2.1"}""");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("127.0.0.1 localhost\n192.0.2.1        events.e2b.local\n", File.ReadAllText(server.Settings.HostsPath));
        Assert.Equal("http://192.0.2.1", (await Envs(server))["E2B_EVENTS_ADDRESS"]);
    }

    [Fact]
    public async Task The_ca_bundle_lands_in_the_configured_bundle()
    {
        await using var server = await EnvdServer.StartAsync();
        const string pem = "-----BEGIN CERTIFICATE-----\\nE2B\\n-----END CERTIFICATE-----";

        using var response = await Init(server, $$"""{"caBundle":"{{pem}}"}""");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("-----BEGIN CERTIFICATE-----\nE2B\n-----END CERTIFICATE-----\n", File.ReadAllText(server.Settings.CaBundlePath));
        Assert.True(File.Exists(server.Settings.LocalCaPath));
    }

    [Fact]
    public async Task Outside_the_vm_volume_mounts_are_ignored()
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await Init(server, """{"lifecycleID":"l","volumeMounts":[{"nfs_target":"192.0.2.1:/v","path":"/mnt/envd-test-never"}]}""");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(Directory.Exists("/mnt/envd-test-never"));
    }

    private static Task<HttpResponseMessage> Init(EnvdServer server, string body) =>
        server.Client.PostAsync("/init", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    private static async Task<Dictionary<string, string>> Envs(EnvdServer server, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/envs");
        if (token is not null)
        {
            request.Headers.Add("X-Access-Token", token);
        }

        using var response = await server.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<(int Code, string Message)> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("code").GetInt32(), json.RootElement.GetProperty("message").GetString()!);
    }

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
}
