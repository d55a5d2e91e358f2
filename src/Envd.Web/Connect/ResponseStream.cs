using System.Diagnostics;
using Google.Protobuf;

namespace Envd.Web.Connect;

/// <summary>
/// The response side of a server stream. Each message is framed and flushed at once; when a keepalive message is
/// configured, it goes out whenever the stream has been silent for the client's keepalive interval after the first
/// message. Safe to call from several tasks at once.
/// </summary>
public sealed class ResponseStream<TResponse> : IAsyncDisposable
    where TResponse : IMessage<TResponse>
{
    private readonly HttpResponse _response;
    private readonly ConnectCodec _codec;
    private readonly Func<TResponse>? _keepalive;
    private readonly TimeSpan _interval;
    private readonly CancellationToken _cancellation;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopKeepalive = new();
    private long _lastWrite;
    private int _keepaliveStarted;
    private Task? _keepaliveLoop;

    internal ResponseStream(HttpResponse response, ConnectCodec codec, Func<TResponse>? keepalive, ConnectCallContext context)
    {
        _response = response;
        _codec = codec;
        _keepalive = keepalive;
        _interval = context.KeepaliveInterval;
        // Only a departed client stops writes: a handler that outlives the deadline may still send what it has.
        _cancellation = context.RequestAborted;
    }

    public async ValueTask WriteAsync(TResponse message)
    {
        await SendAsync(Envelopes.Frame(0, _codec.Serialize(message)), _cancellation);
        if (_keepalive is not null && Interlocked.Exchange(ref _keepaliveStarted, 1) == 0)
        {
            _keepaliveLoop = KeepAliveAsync(_keepalive);
        }
    }

    /// <summary>Ends the stream: stops keepalives and writes the end-of-stream envelope, with the error if there is one.</summary>
    internal async ValueTask CompleteAsync(ConnectException? error)
    {
        await StopKeepaliveAsync();
        await SendAsync(Envelopes.EndOfStream(error), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopKeepaliveAsync();
        _stopKeepalive.Dispose();
        _gate.Dispose();
    }

    private async ValueTask SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _response.BodyWriter.WriteAsync(frame, cancellationToken);
            Volatile.Write(ref _lastWrite, Stopwatch.GetTimestamp());
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task KeepAliveAsync(Func<TResponse> keepalive)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellation, _stopKeepalive.Token);
        try
        {
            while (true)
            {
                var due = _interval - Stopwatch.GetElapsedTime(Volatile.Read(ref _lastWrite));
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, linked.Token);
                    continue;
                }

                await SendAsync(Envelopes.Frame(0, _codec.Serialize(keepalive())), linked.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The call is over or the client is gone; the handler sees the same and ends the stream.
        }
    }

    private async ValueTask StopKeepaliveAsync()
    {
        if (!_stopKeepalive.IsCancellationRequested)
        {
            await _stopKeepalive.CancelAsync();
        }

        if (_keepaliveLoop is not null)
        {
            await _keepaliveLoop;
        }
    }
}
