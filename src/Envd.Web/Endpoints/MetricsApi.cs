using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using Envd.Actors.Metrics;
using Envd.Web.Http;
using static Envd.Actors.Metrics.MetricsProtocol;

namespace Envd.Web.Endpoints;

public static class MetricsApi
{
    /// <summary>The sampler answers from memory; the orchestrator itself gives up after 100 ms.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/metrics", HandleMetrics);
        return routes;
    }

    private static async Task<IResult> HandleMetrics(HttpContext context, IRequiredActor<MetricsSamplerActor> sampler)
    {
        MetricsResult result;
        try
        {
            result = await sampler.ActorRef.Ask<MetricsResult>(GetMetrics.Instance, AskTimeout, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or AskTimeoutException)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "metrics sampler did not answer in time");
        }

        if (result.Sample is not { } sample)
        {
            return ApiError.Result(StatusCodes.Status500InternalServerError, $"failed to collect metrics: {result.Error}");
        }

        context.Response.Headers.CacheControl = "no-store";
        return new JsonLine<MetricsBody>(MetricsBody.From(sample), EnvdJsonContext.Wire.MetricsBody);
    }

    /// <summary>The body upstream's Go struct encodes, in its field order.</summary>
    internal sealed record MetricsBody(
        [property: JsonPropertyName("ts")] long Ts,
        [property: JsonPropertyName("cpu_count")] int CpuCount,
        [property: JsonPropertyName("cpu_used_pct")] float CpuUsedPct,
        [property: JsonPropertyName("mem_total_mib")] ulong MemTotalMib,
        [property: JsonPropertyName("mem_used_mib")] ulong MemUsedMib,
        [property: JsonPropertyName("mem_total")] ulong MemTotal,
        [property: JsonPropertyName("mem_used")] ulong MemUsed,
        [property: JsonPropertyName("mem_cache")] ulong MemCache,
        [property: JsonPropertyName("disk_used")] ulong DiskUsed,
        [property: JsonPropertyName("disk_total")] ulong DiskTotal)
    {
        public static MetricsBody From(MetricsSample s) => new(
            s.Timestamp, s.CpuCount, s.CpuUsedPercent, s.MemTotalMib, s.MemUsedMib, s.MemTotal, s.MemUsed, s.MemCache, s.DiskUsed, s.DiskTotal);
    }
}
