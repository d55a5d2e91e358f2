using Akka.Actor;
using Akka.Event;
using Envd.Linux.Ports;
using static Envd.Actors.Ports.PortForwardingProtocol;

namespace Envd.Actors.Ports;

/// <summary>Reads the kernel's TCP tables on a timer and tells the forwarder which loopback-only listeners exist.</summary>
public sealed class PortScannerActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _procRoot;
    private readonly TimeSpan _interval;
    private readonly IActorRef _forwarder;

    public PortScannerActor(string procRoot, TimeSpan interval, IActorRef forwarder)
    {
        _procRoot = procRoot;
        _interval = interval;
        _forwarder = forwarder;
        Receive<Scan>(_ => HandleScan());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string procRoot, TimeSpan interval, IActorRef forwarder) =>
        Akka.Actor.Props.Create(() => new PortScannerActor(procRoot, interval, forwarder));

    protected override void PreStart() => Timers.StartPeriodicTimer("scan", Scan.Instance, TimeSpan.Zero, _interval);

    private void HandleScan()
    {
        try
        {
            _forwarder.Tell(new ListenersScanned(ProcNetTcp.ReadLoopbackListeners(_procRoot)));
        }
        catch (IOException e)
        {
            _log.Warning("Reading the TCP tables under {0} failed: {1}", _procRoot, e.Message);
        }
    }

    private sealed class Scan : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly Scan Instance = new();

        private Scan()
        {
        }
    }
}
