using System.Text.Json;

namespace Envd.Web.Http;

/// <summary>The REST error body of the spec: <c>{"code": &lt;status&gt;, "message": "..."}</c>.</summary>
public static class ApiError
{
    public static IResult Result(int status, string message) => new ErrorResult(status, message);

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(status, message), EnvdJsonContext.Wire.ErrorBody);
        await context.Response.Body.WriteAsync(body);
        await context.Response.Body.WriteAsync("\n"u8.ToArray());
    }

    public sealed record ErrorBody(int Code, string Message);

    private sealed class ErrorResult(int status, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, status, message);
    }
}
