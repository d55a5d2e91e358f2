using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Envd.Linux.Ports;

/// <summary>
/// Accepts TCP connections on one address and pipes each, both ways, to a target; what socat's
/// <c>TCP-LISTEN:...,fork TCP:...</c> does, inside the daemon. Disposing it closes the listener and every connection.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private const int ChunkBytes = 64 * 1024;

    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();

    private TcpRelay(Socket listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
        _ = AcceptLoop();
    }

    public IPEndPoint ListenEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Binds <paramref name="listen"/> and starts relaying; throws <see cref="SocketException"/> when it cannot bind.</summary>
    public static TcpRelay Start(IPEndPoint listen, IPEndPoint target)
    {
        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(listen);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new TcpRelay(listener, target);
    }

    /// <summary>Stops listening and closes every relayed connection.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            _ = Relay(client);
        }
    }

    private async Task Relay(Socket client)
    {
        using var upstream = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                return;
            }

            client.NoDelay = true;
            upstream.NoDelay = true;
            await using var closeOnStop = _stop.Token.UnsafeRegister(_ =>
            {
                client.Dispose();
                upstream.Dispose();
            }, null);
            await Task.WhenAll(Pump(client, upstream), Pump(upstream, client));
        }
    }

    /// <summary>Copies until the source closes its side, then closes ours towards the destination (half-close).</summary>
    private static async Task Pump(Socket from, Socket to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer.AsMemory(0, ChunkBytes), SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side broke: tear down both so the other pump ends too.
            from.Dispose();
            to.Dispose();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
