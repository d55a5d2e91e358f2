using Envd.Linux.Ports;

namespace Envd.Actors.Ports;

public static class PortForwardingProtocol
{
    /// <summary>Every loopback-only listener found by one scan; a port missing here is no longer served.</summary>
    public sealed record ListenersScanned(IReadOnlyList<LoopbackListener> Listeners);

    /// <summary>Query for the ports relayed right now.</summary>
    public sealed record GetForwardedPorts;

    public sealed record ForwardedPortsResult(IReadOnlyCollection<int> Ports);
}
