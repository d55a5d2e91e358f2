using Google.Protobuf;

namespace Envd.Web.Connect;

/// <summary>Answers one request with one response.</summary>
public delegate Task<TResponse> UnaryHandler<in TRequest, TResponse>(TRequest request, ConnectCallContext context)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>;

/// <summary>Answers one request with any number of messages; returning ends the stream successfully.</summary>
public delegate Task ServerStreamHandler<in TRequest, TResponse>(TRequest request, ResponseStream<TResponse> responses, ConnectCallContext context)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>;

/// <summary>Reads the client's messages as they arrive (a chunked HTTP/1.1 body) and answers once at the end.</summary>
public delegate Task<TResponse> ClientStreamHandler<in TRequest, TResponse>(IAsyncEnumerable<TRequest> requests, ConnectCallContext context)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>;
