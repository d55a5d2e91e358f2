namespace Envd.Actors.Metrics;

public static class MetricsProtocol
{
    /// <summary>Asks for the latest sample; answered with <see cref="MetricsResult"/> without touching the disk.</summary>
    public sealed record GetMetrics
    {
        public static readonly GetMetrics Instance = new();

        private GetMetrics()
        {
        }
    }

    /// <summary>What <c>GET /metrics</c> reports, in upstream's units (<see cref="Timestamp"/> in Unix seconds).</summary>
    public sealed record MetricsSample(
        long Timestamp,
        int CpuCount,
        float CpuUsedPercent,
        ulong MemTotalMib,
        ulong MemUsedMib,
        ulong MemTotal,
        ulong MemUsed,
        ulong MemCache,
        ulong DiskUsed,
        ulong DiskTotal);

    /// <summary>The latest sample, or why the latest sampling failed.</summary>
    public sealed record MetricsResult(MetricsSample? Sample, string? Error);
}
