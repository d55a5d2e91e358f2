using System.Net;
using System.Net.Sockets;
using Envd.Linux.Ports;

namespace Envd.Linux.Tests.Ports;

public sealed class ProcNetTcpTests
{
    // Kernel text: a listener on 127.0.0.1:8080, one on 0.0.0.0:2024, one on 127.0.0.53:53, a connection from
    // 127.0.0.1:8080, and a listener on 127.0.0.1:9000 in another state (SYN_RECV).
    private const string Tcp4 = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23401 1 0000000082390aea 100 0 0 10 0
           1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 232 1 0000000082390aea 100 0 0 10 0
           2: 3500007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 1201 1 0000000082390aea 100 0 0 10 0
           3: 0100007F:1F90 0100007F:B8AC 01 00000000:00000000 00:00000000 00000000     0        0 23999 1 0000000044d8919b 20 4 30 10 -1
           4: 0100007F:2328 00000000:0000 03 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000082390aea 100 0 0 10 0
        """;

    // ::1:3000, [::]:22, ::ffff:127.0.0.1:5432 (a dual-stack socket bound to IPv4 loopback), fd00::2:8443.
    private const string Tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5002 1 0000000000000000 100 0 0 10 0
           2: 0000000000000000FFFF00000100007F:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5003 1 0000000000000000 100 0 0 10 0
           3: 000000FD000000000000000002000000:20FB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5004 1 0000000000000000 100 0 0 10 0
        """;

    [Fact]
    public void Only_IPv4_listeners_on_127_0_0_1_count()
    {
        var listeners = ProcNetTcp.LoopbackListeners(Tcp4, AddressFamily.InterNetwork).ToList();

        Assert.Equal([new LoopbackListener(IPAddress.Loopback, 8080)], listeners);
    }

    [Fact]
    public void IPv6_loopback_and_mapped_IPv4_loopback_listeners_count()
    {
        var listeners = ProcNetTcp.LoopbackListeners(Tcp6, AddressFamily.InterNetworkV6).ToList();

        Assert.Equal([new LoopbackListener(IPAddress.IPv6Loopback, 3000), new LoopbackListener(IPAddress.Loopback, 5432)], listeners);
    }

    [Fact]
    public void Garbage_lines_are_skipped()
    {
        var listeners = ProcNetTcp.LoopbackListeners("header\n0: zz:yy 0 0A\n\n   1: 0100007F 00000000:0000 0A\n", AddressFamily.InterNetwork);

        Assert.Empty(listeners);
    }

    [Fact]
    public void Both_tables_are_read_from_the_proc_root()
    {
        var root = Directory.CreateTempSubdirectory("envd-proc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "net"));
            File.WriteAllText(Path.Combine(root, "net", "tcp"), Tcp4);
            File.WriteAllText(Path.Combine(root, "net", "tcp6"), Tcp6);

            var ports = ProcNetTcp.ReadLoopbackListeners(root).Select(l => l.Port).Order().ToList();

            Assert.Equal([3000, 5432, 8080], ports);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_real_loopback_listener_is_found_and_a_wildcard_one_is_not()
    {
        using var loopback = new TcpListener(IPAddress.Loopback, 0);
        using var wildcard = new TcpListener(IPAddress.Any, 0);
        loopback.Start();
        wildcard.Start();

        var ports = ProcNetTcp.ReadLoopbackListeners("/proc").Select(l => l.Port).ToHashSet();

        Assert.Contains(((IPEndPoint)loopback.LocalEndpoint).Port, ports);
        Assert.DoesNotContain(((IPEndPoint)wildcard.LocalEndpoint).Port, ports);
    }
}
