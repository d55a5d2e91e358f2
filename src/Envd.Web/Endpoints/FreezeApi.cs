using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Envd.Actors.Freeze;
using Envd.Actors.Hosting;
using Envd.Linux.Native;
using Envd.Linux.Snapshots;
using Envd.Web.Http;
using static Envd.Actors.Freeze.FreezeProtocol;

namespace Envd.Web.Endpoints;

/// <summary>
/// The orchestrator's snapshot controls: freeze the workload's cgroups and the root filesystem before a pause, thaw
/// them after.
/// </summary>
public static class FreezeApi
{
    private const int DefaultMaxCgroups = 8192;

    /// <summary>Time for the sweep itself on top of the caller's wait.</summary>
    private static readonly TimeSpan SweepAllowance = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapFreeze(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/freeze", HandleFreeze);
        routes.MapPost("/unfreeze", HandleUnfreeze);
        routes.MapPost("/fsfreeze", (HttpContext context, FilesystemFreezer filesystem, EnvdSettings settings, ILoggerFactory logs) =>
            RunFilesystemFreeze(context, filesystem.FreezeAsync, "fsfreeze", settings, logs));
        routes.MapPost("/fsthaw", (HttpContext context, FilesystemFreezer filesystem, EnvdSettings settings, ILoggerFactory logs) =>
            RunFilesystemFreeze(context, filesystem.ThawAsync, "fsthaw", settings, logs));
        return routes;
    }

    /// <summary>Outside the VM the machine's root filesystem is not ours to freeze: answer success and do nothing.</summary>
    private static async Task<IResult> RunFilesystemFreeze(
        HttpContext context, Func<CancellationToken, Task> operation, string name, EnvdSettings settings, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("Envd.Snapshots");
        if (settings.IsNotFc)
        {
            log.LogInformation("{Operation} skipped: not running in Firecracker (-isnotfc)", name);
            return Results.NoContent();
        }

        try
        {
            await operation(context.RequestAborted);
            log.LogInformation("{Operation} of {Path} done", name, settings.FsFreezePath);
            return Results.NoContent();
        }
        catch (OperationCanceledException)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, $"{name}: another freeze or thaw is in progress");
        }
        catch (NativeErrorException e)
        {
            log.LogError("{Operation} of {Path} failed: {Error}", name, settings.FsFreezePath, e.Message);
            return ApiError.Result(StatusCodes.Status500InternalServerError, $"{name} failed: {e.Message}");
        }
    }

    private static async Task<IResult> HandleFreeze(HttpContext context, IRequiredActor<WorkloadFreezerActor> freezer)
    {
        var query = context.Request.Query;
        var mode = query["mode"].ToString() switch
        {
            "" or "legacy" => FreezeMode.Legacy,
            "hierarchy" => FreezeMode.Hierarchy,
            _ => (FreezeMode?)null,
        };
        if (mode is null)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, $"invalid mode \"{query["mode"]}\": expected legacy or hierarchy");
        }

        if (!TryInt(query["maxCgroups"], DefaultMaxCgroups, out var maxCgroups) || maxCgroups <= 0)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, $"invalid maxCgroups \"{query["maxCgroups"]}\"");
        }

        if (!TryInt(query["maxWaitMs"], 0, out var maxWaitMs))
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, $"invalid maxWaitMs \"{query["maxWaitMs"]}\"");
        }

        var maxWait = maxWaitMs > 0 ? TimeSpan.FromMilliseconds(maxWaitMs) : (TimeSpan?)null;
        FreezeResult result;
        try
        {
            result = await freezer.ActorRef.Ask<FreezeResult>(
                new FreezeWorkload(mode.Value, maxCgroups, maxWait, context.RequestAborted),
                (maxWait ?? TimeSpan.Zero) + SweepAllowance,
                context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or AskTimeoutException)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "could not take the freeze lock");
        }

        if (result.Report is null)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "could not take the freeze lock");
        }

        return maxWait is null ? Results.NoContent() : Results.Json(result.Report, EnvdJsonContext.Wire.FreezeReport);
    }

    private static async Task<IResult> HandleUnfreeze(HttpContext context, IRequiredActor<WorkloadFreezerActor> freezer)
    {
        ThawResult result;
        try
        {
            result = await freezer.ActorRef.Ask<ThawResult>(new ThawWorkload(context.RequestAborted), SweepAllowance, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or AskTimeoutException)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "could not take the freeze lock");
        }

        if (result.Cancelled)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "could not take the freeze lock");
        }

        return result.Failures.Count == 0
            ? Results.NoContent()
            : ApiError.Result(StatusCodes.Status500InternalServerError, "thaw failed: " + string.Join("; ", result.Failures));
    }

    private static bool TryInt(string? text, int fallback, out int value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
