using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Envd.Actors.Init;
using Envd.Tests.Infrastructure;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

/// <summary>The daemon in VM mode against a loopback metadata service and log collector.</summary>
public sealed class VmIntegrationTests
{
    [Fact]
    public async Task Startup_marks_the_sandbox_and_exempts_envd_from_the_oom_killer()
    {
        await using var vm = await VmMode.StartAsync();
        await using var outside = await EnvdServer.StartAsync();

        var marker = Path.Combine(vm.Settings.RunDir, ".E2B_SANDBOX");
        Assert.Equal("true", File.ReadAllText(marker));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(marker));
        Assert.Equal("-1000", File.ReadAllText(vm.Settings.OomScoreAdjPath));
        Assert.Equal("false", File.ReadAllText(Path.Combine(outside.Settings.RunDir, ".E2B_SANDBOX")));
        Assert.False(File.Exists(outside.Settings.OomScoreAdjPath));
    }

    [Fact]
    public async Task The_sandbox_ids_from_the_metadata_service_become_env_vars_and_files()
    {
        using var metadata = new FakeMetadataService { Metadata = new() { ["instanceID"] = "sbx-42", ["envID"] = "tpl-7" } };
        await using var server = await VmMode.StartAsync(s => s with { MetadataAddress = metadata.BaseAddress });

        var env = await WaitForEnv(server, "E2B_SANDBOX_ID");

        Assert.Equal("sbx-42", env["E2B_SANDBOX_ID"]);
        Assert.Equal("tpl-7", env["E2B_TEMPLATE_ID"]);
        Assert.Equal("true", env["E2B_SANDBOX"]);
        Assert.Equal("sbx-42", File.ReadAllText(Path.Combine(server.Settings.RunDir, ".E2B_SANDBOX_ID")));
        Assert.Equal("tpl-7", File.ReadAllText(Path.Combine(server.Settings.RunDir, ".E2B_TEMPLATE_ID")));
    }

    [Fact]
    public async Task A_metadata_service_that_answers_late_is_still_heard()
    {
        using var metadata = new FakeMetadataService();
        await using var server = await VmMode.StartAsync(s => s with { MetadataAddress = metadata.BaseAddress });
        await Task.Delay(300);

        metadata.Metadata = new() { ["instanceID"] = "late", ["envID"] = "tpl" };

        Assert.Equal("late", (await WaitForEnv(server, "E2B_SANDBOX_ID"))["E2B_SANDBOX_ID"]);
    }

    [Fact]
    public async Task Each_init_polls_the_metadata_service_again()
    {
        using var metadata = new FakeMetadataService { Metadata = new() { ["instanceID"] = "before", ["envID"] = "tpl" } };
        await using var server = await VmMode.StartAsync(s => s with { MetadataAddress = metadata.BaseAddress });
        await WaitForEnv(server, "E2B_SANDBOX_ID");

        metadata.Metadata = new() { ["instanceID"] = "after-resume", ["envID"] = "tpl" };
        (await server.Client.PostAsync("/init", null)).Dispose();

        await WaitFor(async () => (await Env(server)).GetValueOrDefault("E2B_SANDBOX_ID") == "after-resume");
    }

    [Fact]
    public async Task Init_accepts_a_new_token_whose_hash_the_metadata_service_vouches_for()
    {
        using var metadata = new FakeMetadataService { Metadata = new() { ["instanceID"] = "sbx", ["envID"] = "tpl" } };
        await using var server = await VmMode.StartAsync(s => s with { MetadataAddress = metadata.BaseAddress });
        (await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"first"}"""))).Dispose();

        using var unvouched = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"second"}"""));
        metadata.Metadata = new() { ["instanceID"] = "sbx", ["envID"] = "tpl", ["accessTokenHash"] = InitRules.HashToken("second") };
        using var vouched = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"second"}"""));
        using var reset = await server.Client.PostAsync("/init", null);

        Assert.Equal(HttpStatusCode.Unauthorized, unvouched.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, vouched.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, reset.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/envs") { Headers = { { "X-Access-Token", "second" } } };
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task An_unreachable_metadata_service_during_init_pins_the_route_once_and_retries()
    {
        var route = new RecordingMetadataRoute();
        await using var server = await VmMode.StartAsync(route: route);
        (await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"first"}"""))).Dispose();
        var pinsBefore = route.Pins;

        using var response = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"other"}"""));
        using var matching = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"first"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, matching.StatusCode);
        Assert.Equal(pinsBefore + 1, route.Pins);
    }

    [Fact]
    public async Task Logs_reach_the_collector_the_metadata_service_names()
    {
        var lines = new List<JsonElement>();
        using var collector = new LoopbackHttpServer(async context =>
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var line = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            lock (lines)
            {
                lines.Add(line);
            }
        });
        using var metadata = new FakeMetadataService
        {
            Metadata = new() { ["instanceID"] = "sbx-logs", ["envID"] = "tpl-logs", ["address"] = new Uri(collector.BaseAddress, "logs").ToString() },
        };
        await using var server = await VmMode.StartAsync(s => s with { MetadataAddress = metadata.BaseAddress });

        (await server.Client.PostAsync("/init", new StringContent("""{"envVars":{"A":"1"}}"""))).Dispose();

        await WaitFor(() =>
        {
            lock (lines)
            {
                return Task.FromResult(lines.Any(l => l.GetProperty("message").GetString()!.Contains("Init ")));
            }
        });
        lock (lines)
        {
            Assert.All(lines, l => Assert.Equal("sbx-logs", l.GetProperty("instanceID").GetString()));
            Assert.All(lines, l => Assert.Equal("tpl-logs", l.GetProperty("envID").GetString()));
        }
    }

    [Fact]
    public async Task A_dead_log_collector_does_not_slow_requests()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var metadata = new FakeMetadataService
        {
            Metadata = new() { ["instanceID"] = "sbx", ["envID"] = "tpl", ["address"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/logs" },
        };
        await using var server = await VmMode.StartAsync(s => s with { MetadataAddress = metadata.BaseAddress });
        await WaitForEnv(server, "E2B_SANDBOX_ID");

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            (await server.Client.PostAsync("/init", new StringContent("{\"envVars\":{\"N\":\"" + i + "\"}}"))).Dispose();
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"200 /init calls took {clock.Elapsed}");
        Assert.Equal("199", (await Env(server))["N"]);
    }

    private static async Task<Dictionary<string, string>> Env(EnvdServer server) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(await server.Client.GetStringAsync("/envs"))!;

    private static async Task<Dictionary<string, string>> WaitForEnv(EnvdServer server, string key)
    {
        Dictionary<string, string> env = [];
        await WaitFor(async () => (env = await Env(server)).ContainsKey(key));
        return env;
    }

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}
