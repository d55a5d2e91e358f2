using System.Net;
using System.Text.Json;
using Envd.Tests.Infrastructure;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

/// <summary>/fsfreeze, /fsthaw, /collapse and /upgrade; filesystem freezes only ever hit a loop-mounted test image.</summary>
public sealed class SnapshotApiTests
{
    [SkippableFact]
    public async Task Outside_the_vm_fsfreeze_answers_204_and_freezes_nothing()
    {
        Skip.If(LoopFilesystem.Unavailable is not null, LoopFilesystem.Unavailable);
        using var filesystem = LoopFilesystem.Create();
        await using var server = await EnvdServer.StartAsync(s => s with { FsFreezePath = filesystem.MountPath });

        using var freeze = await server.Client.PostAsync("/fsfreeze", null);

        Assert.Equal(HttpStatusCode.NoContent, freeze.StatusCode);
        await Task.Run(() => File.WriteAllText(Path.Combine(filesystem.MountPath, "free.txt"), "x")).WaitAsync(TimeSpan.FromSeconds(2));
        using var thaw = await server.Client.PostAsync("/fsthaw", null);
        Assert.Equal(HttpStatusCode.NoContent, thaw.StatusCode);
    }

    [SkippableFact]
    public async Task In_the_vm_fsfreeze_freezes_the_filesystem_until_fsthaw()
    {
        Skip.If(LoopFilesystem.Unavailable is not null, LoopFilesystem.Unavailable);
        using var filesystem = LoopFilesystem.Create();
        await using var server = await VmMode.StartAsync(s => s with { FsFreezePath = filesystem.MountPath });

        using var freeze = await server.Client.PostAsync("/fsfreeze", null);
        using var again = await server.Client.PostAsync("/fsfreeze", null);
        var write = Task.Run(() => File.WriteAllText(Path.Combine(filesystem.MountPath, "held.txt"), "x"));
        await Task.Delay(300);

        Assert.Equal(HttpStatusCode.NoContent, freeze.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.False(write.IsCompleted);

        using var thaw = await server.Client.PostAsync("/fsthaw", null);

        Assert.Equal(HttpStatusCode.NoContent, thaw.StatusCode);
        await write.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task In_the_vm_a_filesystem_that_cannot_be_frozen_is_a_500_with_the_reason()
    {
        await using var server = await VmMode.StartAsync();

        using var response = await server.Client.PostAsync("/fsfreeze", null);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("No such file", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Outside_the_vm_collapse_reports_that_nothing_was_touched()
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await server.Client.PostAsync("/collapse", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        foreach (var field in new[] { "regions", "chunks", "collapsed", "alreadyHuge", "skipped", "elapsedMs" })
        {
            Assert.Equal(0, result.GetProperty(field).GetInt32());
        }
    }

    [Fact]
    public async Task In_the_vm_collapse_reports_the_chunks_it_worked_on()
    {
        await using var server = await VmMode.StartAsync();

        using var response = await server.Client.PostAsync("/collapse", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(result.GetProperty("regions").GetInt32() > 0);
        Assert.Equal(
            result.GetProperty("chunks").GetInt32(),
            result.GetProperty("collapsed").GetInt32() + result.GetProperty("skipped").GetInt32());
    }

    [Fact]
    public async Task Upgrade_is_409_before_init_then_refused_with_a_500()
    {
        await using var server = await EnvdServer.StartAsync();

        using var early = await server.Client.PostAsync("/upgrade", null);
        (await server.Client.PostAsync("/init", null)).Dispose();
        using var wrongBinary = new HttpRequestMessage(HttpMethod.Post, "/upgrade") { Headers = { { "X-Envd-Upgrade-Bin", "/tmp/evil" } } };
        using var rejected = await server.Client.SendAsync(wrongBinary);
        using var late = await server.Client.PostAsync("/upgrade", new ByteArrayContent(new byte[1024]));

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, late.StatusCode);
        Assert.Contains("not supported", await late.Content.ReadAsStringAsync());
    }
}
