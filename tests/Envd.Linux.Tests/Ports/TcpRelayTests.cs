using System.Net;
using System.Net.Sockets;
using System.Text;
using Envd.Linux.Ports;

namespace Envd.Linux.Tests.Ports;

public sealed class TcpRelayTests
{
    /// <summary>A second loopback address stands in for the VM's external address.</summary>
    private static readonly IPAddress External = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Bytes_flow_both_ways_through_the_relay()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        using var relay = TcpRelay.Start(new IPEndPoint(External, 0), new IPEndPoint(IPAddress.Loopback, port));

        using var client = new TcpClient();
        await client.ConnectAsync(relay.ListenEndPoint);
        using var accepted = await service.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var clientStream = client.GetStream();
        var serviceStream = accepted.GetStream();

        var request = RandomBytes(300_000);
        await clientStream.WriteAsync(request);
        Assert.Equal(request, await ReadExactly(serviceStream, request.Length));

        await serviceStream.WriteAsync("pong"u8.ToArray());
        Assert.Equal("pong", Encoding.ASCII.GetString(await ReadExactly(clientStream, 4)));
    }

    [Fact]
    public async Task A_half_close_from_the_client_reaches_the_service_and_the_reply_still_arrives()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        using var relay = TcpRelay.Start(new IPEndPoint(External, 0), new IPEndPoint(IPAddress.Loopback, port));

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(relay.ListenEndPoint);
        using var accepted = await service.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(5));
        await client.SendAsync("question"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        using var received = new MemoryStream();
        var buffer = new byte[1024];
        int read;
        while ((read = await accepted.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(5))) > 0)
        {
            received.Write(buffer, 0, read);
        }

        Assert.Equal("question", Encoding.ASCII.GetString(received.ToArray()));
        await accepted.SendAsync("answer"u8.ToArray());
        accepted.Shutdown(SocketShutdown.Send);
        Assert.Equal("answer", Encoding.ASCII.GetString(await ReadToEnd(client)));
    }

    [Fact]
    public async Task Disposing_the_relay_closes_live_connections_and_the_listening_socket()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        var relay = TcpRelay.Start(new IPEndPoint(External, 0), new IPEndPoint(IPAddress.Loopback, port));
        var endpoint = relay.ListenEndPoint;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint);
        using var accepted = await service.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(5));

        relay.Dispose();

        Assert.Empty(await ReadToEnd(client));
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(endpoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public void Binding_an_address_the_machine_does_not_have_fails_at_start()
    {
        var error = Assert.Throws<SocketException>(() =>
            TcpRelay.Start(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 0), new IPEndPoint(IPAddress.Loopback, 1)));

        Assert.Equal(SocketError.AddressNotAvailable, error.SocketErrorCode);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadExactly(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        return buffer;
    }

    private static async Task<byte[]> ReadToEnd(Socket socket)
    {
        using var received = new MemoryStream();
        var buffer = new byte[1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(5))) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return received.ToArray();
    }
}
