using System.Net;
using System.Text.Json;
using Envd.Linux.Mounts;
using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Web.Tests;

/// <summary>/init's NFS volumes, CA bundle and hyperloop address, through a recording mounter and temp files.</summary>
public sealed class InitExtrasTests
{
    private static StringContent Volumes(string lifecycle, params string[] paths) =>
        new(JsonSerializer.Serialize(new
        {
            lifecycleID = lifecycle,
            volumeMounts = paths.Select(p => new { nfs_target = "192.0.2.1:/vol" + p.Replace('/', '-'), path = p }),
        }));

    [Fact]
    public async Task Volumes_are_mounted_once_per_lifecycle_and_again_after_a_resume()
    {
        var mounter = new RecordingMounter();
        await using var server = await VmMode.StartAsync(mounter: mounter);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync("/init", Volumes("life-1", "/mnt/a", "/mnt/b"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync("/init", Volumes("life-1", "/mnt/a", "/mnt/b"))).StatusCode);
        Assert.Equal(2, mounter.Mounts.Count);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync("/init", Volumes("life-2", "/mnt/a"))).StatusCode);

        Assert.Equal(3, mounter.Mounts.Count);
        Assert.Equal(("192.0.2.1:/vol-mnt-a", "/mnt/a"), mounter.Mounts[2]);
    }

    [Fact]
    public async Task A_failed_mount_is_a_400_leaves_envd_uninitialized_and_is_retried_next_time()
    {
        var mounter = new RecordingMounter { Fail = true };
        await using var server = await VmMode.StartAsync(mounter: mounter);

        using var failed = await server.Client.PostAsync("/init", Volumes("life-1", "/mnt/a"));

        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        Assert.Contains("failed to setup NFS volumes: /mnt/a: mount.nfs: Connection refused", await failed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await server.Client.PostAsync("/upgrade", null)).StatusCode);

        mounter.Fail = false;
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync("/init", Volumes("life-1", "/mnt/a"))).StatusCode);
        Assert.Equal(2, mounter.Mounts.Count);
    }

    [Fact]
    public async Task Outside_the_vm_volumes_are_not_mounted()
    {
        var mounter = new RecordingMounter();
        await using var server = await EnvdServer.StartAsync(overrides: s => s.AddSingleton<IVolumeMounter>(mounter));

        using var response = await server.Client.PostAsync("/init", Volumes("life-1", "/mnt/a"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(mounter.Mounts);
    }

    [Fact]
    public async Task The_ca_bundle_is_added_to_the_trust_bundle_once()
    {
        await using var server = await EnvdServer.StartAsync();
        File.WriteAllText(server.Settings.CaBundlePath, "SYSTEM\n");
        var body = JsonSerializer.Serialize(new { caBundle = "-----BEGIN CERTIFICATE-----\nE2B\n-----END CERTIFICATE-----" });

        (await server.Client.PostAsync("/init", new StringContent(body))).Dispose();
        (await server.Client.PostAsync("/init", new StringContent(body))).Dispose();

        Assert.Equal("SYSTEM\n-----BEGIN CERTIFICATE-----\nE2B\n-----END CERTIFICATE-----\n", File.ReadAllText(server.Settings.CaBundlePath));
        Assert.Contains("E2B", File.ReadAllText(server.Settings.LocalCaPath));
    }

    [Fact]
    public async Task The_hyperloop_address_maps_the_events_host_and_sets_the_events_address()
    {
        await using var server = await EnvdServer.StartAsync();
        File.WriteAllText(server.Settings.HostsPath, "127.0.0.1 localhost\n");

        (await server.Client.PostAsync("/init", new StringContent("""{"hyperloopIP":"192.0.2.9"}"""))).Dispose();

        Assert.Equal("127.0.0.1 localhost\n192.0.2.9        events.e2b.local\n", File.ReadAllText(server.Settings.HostsPath));
        var env = JsonSerializer.Deserialize<Dictionary<string, string>>(await server.Client.GetStringAsync("/envs"))!;
        Assert.Equal("http://192.0.2.9", env["E2B_EVENTS_ADDRESS"]);
    }
}
