using Envd.Linux.Proc;
using static Envd.Actors.Metrics.MetricsProtocol;

namespace Envd.Actors.Metrics;

/// <summary>How a <see cref="HostReading"/> becomes a <see cref="MetricsSample"/>, as pure functions.</summary>
public static class MetricsRules
{
    private const ulong Mib = 1024 * 1024;

    public static MetricsSample ToSample(HostReading reading, CpuTimes previousCpu, DateTimeOffset at) => new(
        at.ToUnixTimeSeconds(),
        reading.CpuCount,
        CpuUsedPercent(previousCpu, reading.Cpu),
        reading.Memory.Total / Mib,
        reading.Memory.Used / Mib,
        reading.Memory.Total,
        reading.Memory.Used,
        reading.Memory.Cache,
        reading.Disk.Used,
        reading.Disk.Total);

    /// <summary>
    /// gopsutil's cpu.Percent between two readings: busy share of the elapsed time, 0 when busy did not grow, 100 when
    /// the total did not, clamped to [0, 100] and rounded to 2 decimals.
    /// </summary>
    public static float CpuUsedPercent(CpuTimes previous, CpuTimes current)
    {
        if (current.Busy <= previous.Busy)
        {
            return 0;
        }

        if (current.Total <= previous.Total)
        {
            return 100;
        }

        var percent = Math.Clamp((double)(current.Busy - previous.Busy) / (current.Total - previous.Total) * 100, 0, 100);
        return (float)(Math.Round(percent * 100) / 100);
    }
}
