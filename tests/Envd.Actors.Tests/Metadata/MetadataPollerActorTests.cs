using Akka.Actor;
using Envd.Actors.Init;
using Envd.Actors.Logs;
using Envd.Actors.Metadata;
using Envd.Linux.Metadata;
using Envd.Linux.Sandbox;

namespace Envd.Actors.Tests.Metadata;

public sealed class MetadataPollerActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("envd-run-").FullName;

    [Fact]
    public void After_failures_one_success_sets_the_ids_writes_the_files_and_names_the_collector()
    {
        var metadata = new ScriptedMetadata(failuresFirst: 3, new InstanceMetadata("sbx-9", "tpl-9", "http://192.0.2.1/logs", null));
        var exporter = CreateTestProbe();
        var poller = Sys.ActorOf(MetadataPollerActor.Props(metadata, new RunDirectory(_runDir), exporter));

        poller.Tell(new MetadataProtocol.PollMetadata(null));

        Assert.Equal(new InitProtocol.SetInternalEnv("E2B_SANDBOX_ID", "sbx-9"), ExpectMsg<InitProtocol.SetInternalEnv>(TimeSpan.FromSeconds(5)));
        Assert.Equal(new InitProtocol.SetInternalEnv("E2B_TEMPLATE_ID", "tpl-9"), ExpectMsg<InitProtocol.SetInternalEnv>());
        var export = exporter.ExpectMsg<LogExportProtocol.ExportLogs>();
        Assert.Equal(new Uri("http://192.0.2.1/logs"), export.Collector);
        Assert.Equal("sbx-9", File.ReadAllText(Path.Combine(_runDir, ".E2B_SANDBOX_ID")));
        Assert.Equal("tpl-9", File.ReadAllText(Path.Combine(_runDir, ".E2B_TEMPLATE_ID")));
        Assert.Equal(4, metadata.Calls);
    }

    [Fact]
    public async Task One_success_stops_the_polling()
    {
        var metadata = new ScriptedMetadata(failuresFirst: 0, new InstanceMetadata("sbx", "tpl", null, null));
        var poller = Sys.ActorOf(MetadataPollerActor.Props(metadata, new RunDirectory(_runDir), null));

        poller.Tell(new MetadataProtocol.PollMetadata(null));
        ExpectMsg<InitProtocol.SetInternalEnv>();
        ExpectMsg<InitProtocol.SetInternalEnv>();
        await Task.Delay(300);

        Assert.Equal(1, metadata.Calls);
    }

    [Fact]
    public async Task Polling_gives_up_at_the_deadline()
    {
        var metadata = new ScriptedMetadata(failuresFirst: int.MaxValue, new InstanceMetadata(null, null, null, null));
        var poller = Sys.ActorOf(MetadataPollerActor.Props(metadata, new RunDirectory(_runDir), null));

        poller.Tell(new MetadataProtocol.PollMetadata(TimeSpan.FromMilliseconds(300)));
        await Task.Delay(1000);
        var callsAfterDeadline = metadata.Calls;
        await Task.Delay(500);

        Assert.InRange(callsAfterDeadline, 1, 10);
        Assert.Equal(callsAfterDeadline, metadata.Calls);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_poll_without_deadline_outlives_a_shorter_one()
    {
        var metadata = new ScriptedMetadata(failuresFirst: 12, new InstanceMetadata("late", "tpl", null, null));
        var poller = Sys.ActorOf(MetadataPollerActor.Props(metadata, new RunDirectory(_runDir), null));

        poller.Tell(new MetadataProtocol.PollMetadata(TimeSpan.FromMilliseconds(100)));
        poller.Tell(new MetadataProtocol.PollMetadata(null));

        Assert.Equal("late", ExpectMsg<InitProtocol.SetInternalEnv>(TimeSpan.FromSeconds(5)).Value);
    }

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_runDir, recursive: true);
    }

    /// <summary>Fails the first calls as an unreachable service would, then answers.</summary>
    private sealed class ScriptedMetadata(int failuresFirst, InstanceMetadata answer) : IInstanceMetadata
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<InstanceMetadata> FetchAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) <= failuresFirst
                ? Task.FromException<InstanceMetadata>(new HttpRequestException("connection refused"))
                : Task.FromResult(answer);
    }
}
