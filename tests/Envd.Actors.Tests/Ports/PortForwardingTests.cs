using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Envd.Actors.Ports;
using static Envd.Actors.Ports.PortForwardingProtocol;

namespace Envd.Actors.Tests.Ports;

/// <summary>
/// The scanner reads a fixture /proc (so only the test's listener is forwarded, not every loopback service on the
/// machine); the listener, the relay and the bytes are real, with 127.0.0.2 as the "external" address.
/// </summary>
public sealed class PortForwardingTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly IPAddress External = IPAddress.Parse("127.0.0.2");
    private readonly string _procRoot = Directory.CreateTempSubdirectory("envd-proc-").FullName;

    public PortForwardingTests() => Directory.CreateDirectory(Path.Combine(_procRoot, "net"));

    [Fact]
    public async Task A_loopback_listener_is_reachable_on_the_external_address_with_bytes_both_ways()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        WriteTables(Listening(IPAddress.Loopback, port));
        StartForwarding();

        using var client = await ConnectWhenForwarded(port);
        using var accepted = await service.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));
        await client.GetStream().WriteAsync("hello"u8.ToArray());
        Assert.Equal("hello", await ReadAscii(accepted.GetStream(), 5));
        await accepted.GetStream().WriteAsync("world"u8.ToArray());
        Assert.Equal("world", await ReadAscii(client.GetStream(), 5));
    }

    [Fact]
    public async Task The_relay_closes_when_the_listener_goes()
    {
        var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        WriteTables(Listening(IPAddress.Loopback, port));
        var forwarder = StartForwarding();
        using var client = await ConnectWhenForwarded(port);
        using var accepted = await service.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));

        service.Stop();
        WriteTables();

        await AwaitAssertAsync(async () =>
            Assert.Empty((await forwarder.Ask<ForwardedPortsResult>(new GetForwardedPorts(), TimeSpan.FromSeconds(3))).Ports),
            TimeSpan.FromSeconds(5));
        Assert.True(await IsClosed(client));
        using var late = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(External, port));
    }

    [Fact]
    public async Task Wildcard_listeners_and_other_states_are_not_forwarded()
    {
        WriteTables(Listening(IPAddress.Any, 40001), Line(IPAddress.Loopback, 40002, "01"));
        var forwarder = StartForwarding();

        await Task.Delay(300);

        Assert.Empty((await forwarder.Ask<ForwardedPortsResult>(new GetForwardedPorts(), TimeSpan.FromSeconds(3))).Ports);
    }

    [Fact]
    public async Task An_IPv6_loopback_listener_is_forwarded_from_the_IPv4_external_address()
    {
        using var service = new TcpListener(IPAddress.IPv6Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        WriteTables(Listening(IPAddress.IPv6Loopback, port));
        StartForwarding();

        using var client = await ConnectWhenForwarded(port);
        using var accepted = await service.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));
        await accepted.GetStream().WriteAsync("v6"u8.ToArray());
        Assert.Equal("v6", await ReadAscii(client.GetStream(), 2));
    }

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_procRoot, recursive: true);
    }

    private IActorRef StartForwarding()
    {
        var forwarder = Sys.ActorOf(PortForwarderActor.Props(External));
        Sys.ActorOf(PortScannerActor.Props(_procRoot, TimeSpan.FromMilliseconds(50), forwarder));
        return forwarder;
    }

    private static async Task<TcpClient> ConnectWhenForwarded(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var client = new TcpClient();
            try
            {
                await client.ConnectAsync(External, port);
                return client;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                client.Dispose();
                await Task.Delay(20);
            }
        }
    }

    private void WriteTables(params string[] lines)
    {
        const string header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        var tcp = lines.Where(l => l.StartsWith("4 ", StringComparison.Ordinal)).Select(l => l[2..]);
        var tcp6 = lines.Where(l => l.StartsWith("6 ", StringComparison.Ordinal)).Select(l => l[2..]);
        File.WriteAllText(Path.Combine(_procRoot, "net", "tcp.tmp"), header + string.Join("\n", tcp) + "\n");
        File.Move(Path.Combine(_procRoot, "net", "tcp.tmp"), Path.Combine(_procRoot, "net", "tcp"), overwrite: true);
        File.WriteAllText(Path.Combine(_procRoot, "net", "tcp6.tmp"), header + string.Join("\n", tcp6) + "\n");
        File.Move(Path.Combine(_procRoot, "net", "tcp6.tmp"), Path.Combine(_procRoot, "net", "tcp6"), overwrite: true);
    }

    private static string Listening(IPAddress address, int port) => Line(address, port, "0A");

    /// <summary>One table line, prefixed with the table it belongs to; addresses in the kernel's host-order hex.</summary>
    private static string Line(IPAddress address, int port, string state)
    {
        var bytes = address.GetAddressBytes();
        var hex = new StringBuilder();
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            hex.Append(BitConverter.ToUInt32(bytes, word * 4).ToString("X8", CultureInfo.InvariantCulture));
        }

        var table = address.AddressFamily == AddressFamily.InterNetwork ? "4" : "6";
        var zero = new string('0', hex.Length);
        return $"{table}    0: {hex}:{port:X4} {zero}:0000 {state} 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0";
    }

    /// <summary>A closed relay connection reads as end-of-stream, or as a reset when data was in flight.</summary>
    private static async Task<bool> IsClosed(TcpClient client)
    {
        try
        {
            return await client.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(5)) == 0;
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return true;
        }
    }

    private static async Task<string> ReadAscii(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        return Encoding.ASCII.GetString(buffer);
    }
}
