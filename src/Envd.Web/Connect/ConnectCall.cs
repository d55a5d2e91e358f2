using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Google.Protobuf;
using Envd.Web.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Envd.Web.Connect;

/// <summary>Runs one Connect call of each kind: content negotiation, framing, deadline, and errors in the request's protocol.</summary>
internal static class ConnectCall
{
    private const string AcceptedTypes = "application/json, application/proto, application/connect+json, application/connect+proto";
    private static readonly ConnectException DeadlineExceeded = new(ConnectCode.DeadlineExceeded, "context deadline exceeded");

    public static async Task RunUnary<TRequest, TResponse>(HttpContext http, string procedure, UnaryHandler<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        if (Negotiate(http, streaming: false) is not { } codec)
        {
            await RejectMediaTypeAsync(http);
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        ConnectException? error;
        try
        {
            RejectCompression(http.Request.Headers.ContentEncoding.ToString(), "Content-Encoding");
            var context = Begin(http, procedure, deadline);
            var request = codec.Parse<TRequest>(await ReadUnaryBodyAsync(http.Request, context.CancellationToken));
            var response = codec.Serialize(await handler(request, context));
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/" + codec.Name;
            http.Response.ContentLength = response.Length;
            await http.Response.Body.WriteAsync(response, http.RequestAborted);
            Log(http, procedure, null);
            return;
        }
        catch (Exception e)
        {
            error = Classify(e, http, procedure);
        }

        Log(http, procedure, error);
        if (error is not null && !http.Response.HasStarted)
        {
            await WriteUnaryErrorAsync(http, error);
        }
    }

    public static async Task RunServerStream<TRequest, TResponse>(
        HttpContext http, string procedure, ServerStreamHandler<TRequest, TResponse> handler, Func<TResponse>? keepalive)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        if (Negotiate(http, streaming: true) is not { } codec)
        {
            await RejectMediaTypeAsync(http);
            return;
        }

        StartStreamResponse(http, codec);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        ResponseStream<TResponse>? responses = null;
        ConnectException? error = null;
        try
        {
            RejectCompression(http.Request.Headers["Connect-Content-Encoding"].ToString(), "Connect-Content-Encoding");
            var context = Begin(http, procedure, deadline);
            var request = await ReadSingleMessageAsync<TRequest>(http.Request.BodyReader, codec, context.CancellationToken);
            responses = new ResponseStream<TResponse>(http.Response, codec, keepalive, context);
            await handler(request, responses, context);
        }
        catch (Exception e)
        {
            error = Classify(e, http, procedure);
            if (error is null)
            {
                Log(http, procedure, null);
                return;
            }
        }
        finally
        {
            if (responses is not null)
            {
                await responses.DisposeAsync();
            }
        }

        Log(http, procedure, error);
        await EndStreamAsync(http, error);
    }

    public static async Task RunClientStream<TRequest, TResponse>(HttpContext http, string procedure, ClientStreamHandler<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        if (Negotiate(http, streaming: true) is not { } codec)
        {
            await RejectMediaTypeAsync(http);
            return;
        }

        // A client stream trickles in as the user types; Kestrel's minimum body rate would cut it off.
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        StartStreamResponse(http, codec);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        ConnectException? error = null;
        try
        {
            RejectCompression(http.Request.Headers["Connect-Content-Encoding"].ToString(), "Connect-Content-Encoding");
            var context = Begin(http, procedure, deadline);
            var response = await handler(ReadMessagesAsync<TRequest>(http.Request.BodyReader, codec, context.CancellationToken), context);
            await http.Response.BodyWriter.WriteAsync(Envelopes.Frame(0, codec.Serialize(response)), http.RequestAborted);
        }
        catch (Exception e)
        {
            error = Classify(e, http, procedure);
            if (error is null)
            {
                Log(http, procedure, null);
                return;
            }
        }

        Log(http, procedure, error);
        await EndStreamAsync(http, error);
    }

    /// <summary>Ends a request with <paramref name="error"/> in its own protocol: an end-of-stream envelope for streams, a JSON error otherwise.</summary>
    public static async Task WriteErrorAsync(HttpContext http, ConnectException error)
    {
        var type = ConnectContentType.Parse(http.Request.ContentType);
        if (type is { Streaming: true } streaming)
        {
            StartStreamResponse(http, streaming.Codec);
            await EndStreamAsync(http, error);
            return;
        }

        await WriteUnaryErrorAsync(http, error);
    }

    private static ConnectCodec? Negotiate(HttpContext http, bool streaming) =>
        ConnectContentType.Parse(http.Request.ContentType) is { } type && type.Streaming == streaming ? type.Codec : null;

    private static ConnectCallContext Begin(HttpContext http, string procedure, CancellationTokenSource deadline)
    {
        var timeout = ConnectCallContext.ParseTimeout(http.Request.Headers[ConnectCallContext.TimeoutHeader].ToString());
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        return new ConnectCallContext(http, procedure, timeout, deadline.Token);
    }

    private static void RejectCompression(string encoding, string header)
    {
        if (encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConnectException(ConnectCode.Unimplemented, $"unknown compression \"{encoding}\" in {header}: only identity is supported");
        }
    }

    private static async Task<byte[]> ReadUnaryBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > Envelopes.MaxMessageBytes)
        {
            throw TooLarge(request.ContentLength.Value);
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.Buffer.Length > Envelopes.MaxMessageBytes)
            {
                reader.AdvanceTo(result.Buffer.End);
                throw TooLarge(result.Buffer.Length);
            }

            if (result.IsCompleted)
            {
                var body = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return body;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        static ConnectException TooLarge(long size) =>
            new(ConnectCode.ResourceExhausted, $"message size {size} is larger than the limit of {Envelopes.MaxMessageBytes} bytes");
    }

    private static async Task<TRequest> ReadSingleMessageAsync<TRequest>(PipeReader reader, ConnectCodec codec, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
    {
        var payload = await Envelopes.ReadAsync(reader, cancellationToken)
            ?? throw new ConnectException(ConnectCode.InvalidArgument, "protocol error: the request stream has no message");
        if (await Envelopes.ReadAsync(reader, cancellationToken) is not null)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, "protocol error: a server-streaming call takes exactly one request message");
        }

        return codec.Parse<TRequest>(payload);
    }

    private static async IAsyncEnumerable<TRequest> ReadMessagesAsync<TRequest>(
        PipeReader reader, ConnectCodec codec, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
    {
        while (await Envelopes.ReadAsync(reader, cancellationToken) is { } payload)
        {
            yield return codec.Parse<TRequest>(payload);
        }
    }

    private static void StartStreamResponse(HttpContext http, ConnectCodec codec)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ConnectContentType.StreamingPrefix + codec.Name;
    }

    private static async Task EndStreamAsync(HttpContext http, ConnectException? error)
    {
        try
        {
            await http.Response.BodyWriter.WriteAsync(Envelopes.EndOfStream(error), http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left before the stream ended; there is no one to tell.
        }
    }

    private static async Task WriteUnaryErrorAsync(HttpContext http, ConnectException error)
    {
        http.Response.StatusCode = error.Code.HttpStatus();
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(ErrorJson(error));
    }

    private static async Task RejectMediaTypeAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        http.Response.Headers["Accept-Post"] = AcceptedTypes;
        http.Response.ContentType = "application/json";
        var error = new ConnectException(
            ConnectCode.InvalidArgument, $"unsupported content type \"{http.Request.ContentType}\" for {http.Request.Path}; expected one of {AcceptedTypes}");
        await http.Response.Body.WriteAsync(ErrorJson(error));
    }

    private static byte[] ErrorJson(ConnectException error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ConnectException.JsonOptions))
        {
            error.WriteJson(json);
        }

        return buffer.ToArray();
    }

    /// <summary>The Connect error for a failed call, or null when the client is gone and nothing can be written.</summary>
    private static ConnectException? Classify(Exception exception, HttpContext http, string procedure)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            return null;
        }

        switch (exception)
        {
            case ConnectException connect:
                return connect;
            case OperationCanceledException:
                return DeadlineExceeded;
            case BadHttpRequestException bad:
                return new ConnectException(ConnectCode.InvalidArgument, $"reading the request: {bad.Message}");
            default:
                Logger(http).LogError(exception, "RPC {Procedure} op {OperationId} failed", procedure, OperationIds.Of(http));
                return new ConnectException(ConnectCode.Internal, exception.Message);
        }
    }

    /// <param name="error">The error the call ended with; null for success, or for a client that went away.</param>
    private static void Log(HttpContext http, string procedure, ConnectException? error)
    {
        var logger = Logger(http);
        if (error is null)
        {
            logger.LogDebug("RPC {Procedure} op {OperationId} {Outcome}", procedure, OperationIds.Of(http), http.RequestAborted.IsCancellationRequested ? "client went away" : "ok");
        }
        else
        {
            logger.LogInformation("RPC {Procedure} op {OperationId} {Code}: {Message}", procedure, OperationIds.Of(http), error.Code.WireName(), error.Message);
        }
    }

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Envd.Connect");
}
