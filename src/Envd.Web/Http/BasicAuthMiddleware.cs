using Envd.Web.Connect;

namespace Envd.Web.Http;

/// <summary>
/// Rejects an unknown Basic-auth user on every route before handlers run, as a Connect unauthenticated error in the
/// request's protocol: an end-of-stream envelope for Connect streams, the unary JSON error for everything else.
/// </summary>
public sealed class BasicAuthMiddleware(RequestDelegate next, RequestUser users)
{
    public Task InvokeAsync(HttpContext context)
    {
        var error = users.Authenticate(context);
        return error is null
            ? next(context)
            : ConnectCall.WriteErrorAsync(context, new ConnectException(ConnectCode.Unauthenticated, error));
    }
}
