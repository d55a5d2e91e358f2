using Envd.Actors.Init;
using Envd.Web.Http;

namespace Envd.Web.Endpoints;

/// <summary>
/// <c>/upgrade</c> (live self-upgrade) is not implemented: Envd answers the way upstream answers a refused upgrade, so
/// an orchestrator that tries it gets a clear failure rather than a 404.
/// </summary>
public static class UpgradeApi
{
    private const string ExpectedBinary = "/usr/bin/envd.next";

    public static IEndpointRouteBuilder MapUpgrade(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/upgrade", HandleUpgrade);
        return routes;
    }

    private static IResult HandleUpgrade(HttpContext context, InitSnapshot init)
    {
        if (!init.Current.Initialized)
        {
            return ApiError.Result(StatusCodes.Status409Conflict, "envd not initialized");
        }

        if (context.Request.Headers.TryGetValue("X-Envd-Upgrade-Bin", out var binary) && binary.ToString() != ExpectedBinary)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, $"unexpected upgrade binary \"{binary}\": only {ExpectedBinary} is accepted");
        }

        return ApiError.Result(StatusCodes.Status500InternalServerError, "live upgrade is not supported by this envd; restart the sandbox with the new version instead");
    }
}
