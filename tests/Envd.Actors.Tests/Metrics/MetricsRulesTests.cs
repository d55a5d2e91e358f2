using Envd.Actors.Metrics;
using Envd.Linux.Disks;
using Envd.Linux.Proc;

namespace Envd.Actors.Tests.Metrics;

public sealed class MetricsRulesTests
{
    [Theory]
    [InlineData(100, 1000, 150, 1100, 50f)]
    [InlineData(0, 0, 1, 3, 33.33f)]
    [InlineData(0, 0, 2, 3, 66.67f)]
    [InlineData(100, 1000, 100, 2000, 0f)]
    [InlineData(100, 1000, 90, 2000, 0f)]
    [InlineData(100, 1000, 200, 1000, 100f)]
    [InlineData(100, 1000, 300, 1100, 100f)]
    public void Cpu_percent_is_the_busy_share_of_the_elapsed_ticks(
        long busy1, long total1, long busy2, long total2, float expected)
    {
        var percent = MetricsRules.CpuUsedPercent(new CpuTimes((ulong)busy1, (ulong)total1), new CpuTimes((ulong)busy2, (ulong)total2));

        Assert.Equal(expected, percent);
    }

    [Fact]
    public void A_sample_carries_upstream_units()
    {
        var reading = new HostReading(
            new CpuTimes(300, 1000),
            4,
            new MemInfo(Total: 3 * 1024 * 1024 + 5, Available: 1024 * 1024, Cached: 7, SReclaimable: 3),
            new DiskUsage(Total: 10_000, Used: 4_000));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_999);

        var sample = MetricsRules.ToSample(reading, new CpuTimes(200, 800), at);

        Assert.Equal(
            new MetricsProtocol.MetricsSample(
                Timestamp: 1_700_000_000,
                CpuCount: 4,
                CpuUsedPercent: 50f,
                MemTotalMib: 3,
                MemUsedMib: 2,
                MemTotal: 3 * 1024 * 1024 + 5,
                MemUsed: 2 * 1024 * 1024 + 5,
                MemCache: 10,
                DiskUsed: 4_000,
                DiskTotal: 10_000),
            sample);
    }
}
