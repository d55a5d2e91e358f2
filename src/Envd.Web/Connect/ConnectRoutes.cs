namespace Envd.Web.Connect;

public static class ConnectRoutes
{
    /// <summary>
    /// Serves a Connect service at <c>POST /&lt;service&gt;/&lt;method&gt;</c>; other methods of the service answer
    /// unimplemented in the request's protocol.
    /// </summary>
    /// <example>
    /// <code>
    /// app.MapConnectService&lt;FilesystemRpc&gt;("filesystem.Filesystem", rpc => rpc
    ///     .Unary&lt;StatRequest, StatResponse&gt;("Stat", s => s.Stat)
    ///     .ServerStream&lt;WatchDirRequest, WatchDirResponse&gt;("WatchDir", s => s.WatchDir, () => new() { Keepalive = new() }));
    /// </code>
    /// </example>
    public static IEndpointRouteBuilder MapConnectService<TService>(
        this IEndpointRouteBuilder routes, string service, Action<ConnectService<TService>> methods)
        where TService : class
    {
        var definition = new ConnectService<TService>(service);
        methods(definition);
        foreach (var (method, handler) in definition.Methods)
        {
            routes.MapPost($"/{service}/{method}", handler).WithDisplayName($"/{service}/{method}");
        }

        routes.MapPost($"/{service}/{{method}}", context => ConnectCall.WriteErrorAsync(
            context, new ConnectException(ConnectCode.Unimplemented, $"{context.Request.Path} is not implemented")));
        return routes;
    }
}
