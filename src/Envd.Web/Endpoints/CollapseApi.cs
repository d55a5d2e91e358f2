using Envd.Actors.Hosting;
using Envd.Linux.Snapshots;
using Envd.Web.Http;

namespace Envd.Web.Endpoints;

/// <summary><c>/collapse</c>: back envd's own heap with huge pages before a snapshot, so a resume faults in fewer pages.</summary>
public static class CollapseApi
{
    public static IEndpointRouteBuilder MapCollapse(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/collapse", HandleCollapse);
        return routes;
    }

    /// <summary>Outside the VM there is no snapshot to prepare: an all-zero result says nothing was touched.</summary>
    private static IResult HandleCollapse(EnvdSettings settings, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("Envd.Snapshots");
        if (settings.IsNotFc)
        {
            log.LogInformation("collapse skipped: not running in Firecracker (-isnotfc)");
            return Results.Json(new CollapseReport(0, 0, 0, 0, 0, 0), EnvdJsonContext.Wire.CollapseReport);
        }

        try
        {
            var report = HeapCollapser.Collapse(settings.ProcRoot);
            log.LogInformation(
                "Heap collapse: {Collapsed} of {Chunks} chunks in {Regions} regions, {ElapsedMs} ms",
                report.Collapsed, report.Chunks, report.Regions, report.ElapsedMs);
            return Results.Json(report, EnvdJsonContext.Wire.CollapseReport);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return ApiError.Result(StatusCodes.Status500InternalServerError, $"collapse failed: {e.Message}");
        }
    }
}
