namespace Envd.Web.Http;

/// <summary>
/// A request that breaks while a handler reads it (a body trickling below the minimum data rate, a truncated body, bad
/// chunking) is the client's fault: it gets Kestrel's 4xx status with the REST JSON error, and an information line in
/// the log rather than an unhandled-exception error with a stack.
/// </summary>
public sealed class BadRequestMiddleware(RequestDelegate next, ILogger<BadRequestMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e)
        {
            log.LogInformation("{Method} {Path} op {OperationId}: bad request {Status}: {Reason}", context.Request.Method, context.Request.Path, OperationIds.Of(context), e.StatusCode, e.Message);
            if (!context.Response.HasStarted)
            {
                await ApiError.WriteAsync(context, e.StatusCode, e.Message);
            }
        }
    }
}
