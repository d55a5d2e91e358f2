using Envd.Actors.Init;

namespace Envd.Web.Http;

/// <summary>
/// Once <c>/init</c> has set a token, every request must carry it in <c>X-Access-Token</c>, except the routes that
/// check it themselves (<c>/files</c> also takes signatures, <c>/init</c> validates its own body) and <c>/health</c>.
/// </summary>
public sealed class AccessTokenMiddleware(RequestDelegate next, InitSnapshot init)
{
    public const string Header = "X-Access-Token";
    public const string Rejection = "unauthorized access, please provide a valid access token or method signing if supported";

    public Task InvokeAsync(HttpContext context)
    {
        var token = init.Current.AccessToken;
        if (token is null || IsExempt(context.Request) || Presents(context.Request, token))
        {
            return next(context);
        }

        return ApiError.WriteAsync(context, StatusCodes.Status401Unauthorized, Rejection);
    }

    public static bool Presents(HttpRequest request, string token) =>
        request.Headers.TryGetValue(Header, out var presented) && InitRules.TokensEqual(token, presented.ToString());

    private static bool IsExempt(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) && request.Path.Value is "/health" or "/files")
        || (HttpMethods.IsPost(request.Method) && request.Path.Value is "/files" or "/init");
}
