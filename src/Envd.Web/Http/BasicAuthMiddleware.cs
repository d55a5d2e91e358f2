using System.Text.Json;

namespace Envd.Web.Http;

/// <summary>Rejects an unknown Basic-auth user on every route, in the Connect unary error shape, before handlers run.</summary>
public sealed class BasicAuthMiddleware(RequestDelegate next, RequestUser users)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var error = users.Authenticate(context);
        if (error is null)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(
            new Dictionary<string, string> { ["code"] = "unauthenticated", ["message"] = error },
            EnvdJsonContext.Wire.DictionaryStringString));
    }
}
