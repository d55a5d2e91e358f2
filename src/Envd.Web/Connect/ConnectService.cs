using Google.Protobuf;

namespace Envd.Web.Connect;

/// <summary>
/// The methods of one Connect service, bound to a handler object of type <typeparamref name="TService"/> that is taken
/// from DI (or built from it) for every call.
/// </summary>
public sealed class ConnectService<TService>
    where TService : class
{
    private readonly List<(string Method, RequestDelegate Handler)> _methods = [];

    internal ConnectService(string name) => Name = name;

    /// <summary>The fully qualified proto service name, e.g. <c>filesystem.Filesystem</c>.</summary>
    public string Name { get; }

    internal IReadOnlyList<(string Method, RequestDelegate Handler)> Methods => _methods;

    public ConnectService<TService> Unary<TRequest, TResponse>(string method, Func<TService, UnaryHandler<TRequest, TResponse>> bind)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        _methods.Add((method, http => ConnectCall.RunUnary(http, Procedure(method), bind(Resolve(http)))));
        return this;
    }

    /// <param name="keepalive">Builds the message sent when the stream has been silent for the keepalive interval.</param>
    public ConnectService<TService> ServerStream<TRequest, TResponse>(
        string method, Func<TService, ServerStreamHandler<TRequest, TResponse>> bind, Func<TResponse>? keepalive = null)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        _methods.Add((method, http => ConnectCall.RunServerStream(http, Procedure(method), bind(Resolve(http)), keepalive)));
        return this;
    }

    public ConnectService<TService> ClientStream<TRequest, TResponse>(string method, Func<TService, ClientStreamHandler<TRequest, TResponse>> bind)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        _methods.Add((method, http => ConnectCall.RunClientStream(http, Procedure(method), bind(Resolve(http)))));
        return this;
    }

    private string Procedure(string method) => $"/{Name}/{method}";

    private static TService Resolve(HttpContext http) => ActivatorUtilities.GetServiceOrCreateInstance<TService>(http.RequestServices);
}
