using Akka.Actor;
using Akka.Hosting;
using Envd.Actors.Init;
using Envd.Web.Hosting;
using Envd.Web.Http;
using static Envd.Actors.Init.InitProtocol;

namespace Envd.Web.Endpoints;

public static class InitApi
{
    /// <summary>/init bodies carry env vars and a CA bundle; anything larger is not a real request.</summary>
    private const int MaxBodyBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);

    public static IEndpointRouteBuilder MapInit(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/init", HandleInit);
        return routes;
    }

    private static async Task<IResult> HandleInit(HttpContext context, IRequiredActor<InitActor> init)
    {
        context.Response.Headers["X-Envd-Version"] = EnvdVersion.Upstream;
        var body = await ReadBody(context.Request, context.RequestAborted);
        if (body is null)
        {
            return ApiError.Result(StatusCodes.Status413PayloadTooLarge, $"request body is larger than {MaxBodyBytes} bytes");
        }

        var (request, error) = InitRequestParser.Parse(body);
        if (request is null)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, error!);
        }

        InitResult result;
        try
        {
            result = await init.ActorRef.Ask<InitResult>(
                new ApplyInit(request, OperationIds.Of(context), context.RequestAborted), AskTimeout, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or AskTimeoutException)
        {
            return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "init did not complete in time");
        }

        context.Response.Headers.CacheControl = "no-store";
        return result.Outcome switch
        {
            InitOutcome.Applied or InitOutcome.Stale => Results.NoContent(),
            InitOutcome.Unauthorized => ApiError.Result(StatusCodes.Status401Unauthorized, result.Message!),
            InitOutcome.Invalid => ApiError.Result(StatusCodes.Status400BadRequest, result.Message!),
            _ => ApiError.Result(StatusCodes.Status503ServiceUnavailable, "init was cancelled"),
        };
    }

    private static async Task<byte[]?> ReadBody(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
