using Akka.Actor;
using Envd.Actors.Metrics;
using Envd.Linux.Disks;
using Envd.Linux.Proc;
using static Envd.Actors.Metrics.MetricsProtocol;

namespace Envd.Actors.Tests.Metrics;

public sealed class MetricsSamplerActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly ProcFixture _proc = new();
    private readonly ManualTime _time = new(Start);

    [Fact]
    public void Answers_at_once_from_the_sample_taken_at_start()
    {
        var sampler = StartSampler(TimeSpan.FromHours(1));

        var sample = Latest(sampler).Sample;

        Assert.NotNull(sample);
        Assert.Equal(Start.ToUnixTimeSeconds(), sample.Timestamp);
        Assert.Equal(3, sample.CpuCount);
        Assert.Equal(25f, sample.CpuUsedPercent);
        Assert.Equal(ProcFixture.MemTotalKib * 1024, sample.MemTotal);
        Assert.Equal((ProcFixture.MemTotalKib - ProcFixture.MemAvailableKib) * 1024, sample.MemUsed);
        Assert.Equal(4096UL, sample.MemTotalMib);
        Assert.Equal(1023UL, sample.MemUsedMib);
        Assert.Equal((ProcFixture.CachedKib + ProcFixture.SReclaimableKib) * 1024, sample.MemCache);
        Assert.Equal(DiskUsage.Of(_proc.Root).Total, sample.DiskTotal);
    }

    [Fact]
    public void Each_tick_replaces_the_sample_and_the_cpu_figure_covers_the_last_interval()
    {
        var sampler = StartSampler(TimeSpan.FromMilliseconds(50));
        Assert.Equal(Start.ToUnixTimeSeconds(), Latest(sampler).Sample!.Timestamp);

        _time.Now = Start.AddSeconds(7);
        _proc.WriteMemInfo(availableKib: ProcFixture.MemTotalKib / 2);
        _proc.WriteCpu(busy: 250 + 90, idle: 750 + 10);

        AwaitAssert(() =>
        {
            var sample = Latest(sampler).Sample!;
            Assert.Equal(Start.ToUnixTimeSeconds() + 7, sample.Timestamp);
            Assert.Equal(ProcFixture.MemTotalKib / 2 * 1024, sample.MemUsed);
        });
        AwaitAssert(() => Assert.Equal(0f, Latest(sampler).Sample!.CpuUsedPercent));
    }

    [Fact]
    public void The_cpu_figure_of_a_tick_is_measured_from_the_previous_tick()
    {
        // A whole interval to observe each tick's figure, even on a loaded machine.
        var sampler = StartSampler(TimeSpan.FromSeconds(1));
        Assert.Equal(25f, Latest(sampler).Sample!.CpuUsedPercent);
        _proc.WriteCpu(busy: 250 + 90, idle: 750 + 10);

        // The first tick after the change sees 90 busy ticks out of 100; the following ones see no progress at all.
        var seen = new List<float>();
        AwaitAssert(
            () =>
            {
                seen.Add(Latest(sampler).Sample!.CpuUsedPercent);
                Assert.Equal(0f, seen[^1]);
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(20));

        Assert.Equal([25f, 90f, 0f], seen.Distinct());
    }

    [Fact]
    public void A_failed_sample_is_reported_until_sampling_recovers()
    {
        _proc.RemoveMemInfo();
        var sampler = StartSampler(TimeSpan.FromMilliseconds(50));

        var failed = Latest(sampler);
        Assert.Null(failed.Sample);
        Assert.Contains("meminfo", failed.Error);

        _proc.WriteMemInfo();
        AwaitAssert(() => Assert.NotNull(Latest(sampler).Sample));
        Assert.Null(Latest(sampler).Error);
    }

    public new void Dispose()
    {
        _proc.Dispose();
        base.Dispose();
    }

    private IActorRef StartSampler(TimeSpan interval) =>
        Sys.ActorOf(MetricsSamplerActor.Props(new HostCounters(_proc.Root, _proc.Root), interval, _time));

    private MetricsResult Latest(IActorRef sampler)
    {
        sampler.Tell(GetMetrics.Instance, TestActor);
        return ExpectMsg<MetricsResult>();
    }
}
