using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Envd.Linux.Ports;
using static Envd.Actors.Ports.PortForwardingProtocol;

namespace Envd.Actors.Ports;

/// <summary>
/// Makes loopback-only services reachable from outside the VM: one <see cref="TcpRelay"/> per listening port, bound to
/// the external address on the same port and stopped when the listener goes. A port whose relay cannot bind is not
/// retried until its listener disappears and comes back.
/// </summary>
public sealed class PortForwarderActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IPAddress _externalAddress;
    private readonly Dictionary<int, TcpRelay?> _relays = new();

    public PortForwarderActor(IPAddress externalAddress)
    {
        _externalAddress = externalAddress;
        Receive<ListenersScanned>(HandleListenersScanned);
        Receive<GetForwardedPorts>(_ => Sender.Tell(new ForwardedPortsResult(_relays.Where(r => r.Value is not null).Select(r => r.Key).ToList())));
    }

    public static Props Props(IPAddress externalAddress) => Akka.Actor.Props.Create(() => new PortForwarderActor(externalAddress));

    protected override void PostStop()
    {
        foreach (var relay in _relays.Values.OfType<TcpRelay>())
        {
            relay.Dispose();
        }
    }

    private void HandleListenersScanned(ListenersScanned scan)
    {
        // A port listened on both 127.0.0.1 and ::1 gets one relay, towards IPv4 like socat's TCP4 target.
        var targets = scan.Listeners
            .GroupBy(l => l.Port)
            .ToDictionary(g => g.Key, g => g.OrderBy(l => l.Address.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First().Address);

        foreach (var port in _relays.Keys.Where(p => !targets.ContainsKey(p)).ToList())
        {
            if (_relays[port] is { } relay)
            {
                relay.Dispose();
                _log.Info("Stopped forwarding port {0}: its listener is gone", port);
            }

            _relays.Remove(port);
        }

        foreach (var (port, address) in targets.Where(t => !_relays.ContainsKey(t.Key)))
        {
            _relays[port] = StartRelay(port, address);
        }
    }

    private TcpRelay? StartRelay(int port, IPAddress target)
    {
        try
        {
            var relay = TcpRelay.Start(new IPEndPoint(_externalAddress, port), new IPEndPoint(target, port));
            _log.Info("Forwarding {0}:{1} to {2}:{1}", _externalAddress, port, target);
            return relay;
        }
        catch (SocketException e)
        {
            _log.Warning("Cannot forward port {0} from {1}: {2}", port, _externalAddress, e.Message);
            return null;
        }
    }
}
