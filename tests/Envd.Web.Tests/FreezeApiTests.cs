using System.Net;
using System.Text.Json;
using Envd.Tests.Infrastructure;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

public sealed class FreezeApiTests
{
    [Fact]
    public async Task Without_cgroups_freeze_answers_204_and_with_a_wait_an_empty_result()
    {
        await using var server = await EnvdServer.StartAsync();

        using var quick = await server.Client.PostAsync("/freeze", null);
        using var waited = await server.Client.PostAsync("/freeze?mode=hierarchy&maxWaitMs=100", null);
        using var thaw = await server.Client.PostAsync("/unfreeze", null);

        Assert.Equal(HttpStatusCode.NoContent, quick.StatusCode);
        Assert.Equal(HttpStatusCode.OK, waited.StatusCode);
        var result = JsonDocument.Parse(await waited.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("hierarchy", result.GetProperty("mode").GetString());
        Assert.Equal(0, result.GetProperty("requested").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, thaw.StatusCode);
    }

    [Theory]
    [InlineData("/freeze?mode=everything")]
    [InlineData("/freeze?maxCgroups=lots")]
    [InlineData("/freeze?maxWaitMs=soon")]
    public async Task Bad_parameters_are_a_400_with_a_json_error(string url)
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await server.Client.PostAsync(url, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Freeze_needs_the_access_token_once_one_is_set()
    {
        await using var server = await EnvdServer.StartAsync();
        (await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"t0ken"}"""))).Dispose();

        using var response = await server.Client.PostAsync("/freeze", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [SkippableFact]
    public async Task Legacy_freeze_stops_the_users_processes_and_init_lets_them_run_again()
    {
        Skip.If(TestCgroup.Unavailable is not null, TestCgroup.Unavailable);
        using var tree = TestCgroup.Create();
        await using var server = await EnvdServer.StartAsync(s => s with { NoCgroups = false, CgroupRoot = tree.Path });
        var user = Path.Combine(tree.Path, "user");
        using var sleeper = TestCgroup.StartSleeperIn(user);

        using var response = await server.Client.PostAsync("/freeze?mode=legacy&maxWaitMs=3000", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, result.GetProperty("requested").GetInt32());
        Assert.Equal(2, result.GetProperty("frozen").GetInt32());
        Assert.Equal(0, result.GetProperty("notFrozen").GetInt32());
        Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(user, "cgroup.events")));

        using var init = await server.Client.PostAsync("/init", null);

        Assert.Equal(HttpStatusCode.NoContent, init.StatusCode);
        await WaitFor(() => File.ReadAllText(Path.Combine(user, "cgroup.events")).Contains("frozen 0"));
    }

    [SkippableFact]
    public async Task Hierarchy_freeze_spares_the_forwarders_and_unfreeze_spares_what_the_guest_froze()
    {
        Skip.If(TestCgroup.Unavailable is not null, TestCgroup.Unavailable);
        using var tree = TestCgroup.Create();
        await using var server = await EnvdServer.StartAsync(s => s with { NoCgroups = false, CgroupRoot = tree.Path });
        var guest = Path.Combine(tree.Path, "guest");
        var guestFrozen = Path.Combine(tree.Path, "paused-by-guest");
        Directory.CreateDirectory(guest);
        Directory.CreateDirectory(guestFrozen);
        File.WriteAllText(Path.Combine(guestFrozen, "cgroup.freeze"), "1");
        using var sleeper = TestCgroup.StartSleeperIn(guest);

        using var response = await server.Client.PostAsync("/freeze?mode=hierarchy&maxWaitMs=3000", null);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(3, result.GetProperty("requested").GetInt32());
        Assert.Equal(1, result.GetProperty("allowlisted").GetInt32());
        Assert.Equal(1, result.GetProperty("preFrozen").GetInt32());
        Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(guest, "cgroup.events")));
        Assert.Contains("frozen 0", File.ReadAllText(Path.Combine(tree.Path, "socats", "cgroup.events")));

        using var thaw = await server.Client.PostAsync("/unfreeze", null);

        Assert.Equal(HttpStatusCode.NoContent, thaw.StatusCode);
        Assert.Contains("frozen 0", File.ReadAllText(Path.Combine(guest, "cgroup.events")));
        Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(guestFrozen, "cgroup.events")));
    }

    [SkippableFact]
    public async Task An_unauthorized_init_does_not_thaw_but_a_stale_authorized_one_does()
    {
        Skip.If(TestCgroup.Unavailable is not null, TestCgroup.Unavailable);
        using var tree = TestCgroup.Create();
        await using var server = await EnvdServer.StartAsync(s => s with { NoCgroups = false, CgroupRoot = tree.Path });
        var user = Path.Combine(tree.Path, "user");
        (await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"t0ken","timestamp":"2030-01-01T00:00:00Z"}"""))).Dispose();
        using var freeze = new HttpRequestMessage(HttpMethod.Post, "/freeze?maxWaitMs=1000") { Headers = { { "X-Access-Token", "t0ken" } } };
        (await server.Client.SendAsync(freeze)).Dispose();

        using var wrong = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"guess"}"""));
        await Task.Delay(100);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(user, "cgroup.events")));

        using var stale = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"t0ken","timestamp":"2020-01-01T00:00:00Z"}"""));

        Assert.Equal(HttpStatusCode.NoContent, stale.StatusCode);
        await WaitFor(() => File.ReadAllText(Path.Combine(user, "cgroup.events")).Contains("frozen 0"));
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 s");
            await Task.Delay(5);
        }
    }
}
