using Akka.Actor;
using Akka.Event;
using Envd.Linux.Proc;
using static Envd.Actors.Metrics.MetricsProtocol;

namespace Envd.Actors.Metrics;

/// <summary>
/// Reads the host counters on a timer and keeps the latest sample, so <c>GET /metrics</c> answers from memory.
/// </summary>
public sealed class MetricsSamplerActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HostCounters _counters;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;

    // Zero counters make the first sample's CPU figure the average since boot.
    private CpuTimes _previousCpu;
    private MetricsResult _latest = new(null, "no sample taken yet");

    public MetricsSamplerActor(HostCounters counters, TimeSpan interval, TimeProvider time)
    {
        _counters = counters;
        _interval = interval;
        _time = time;
        Receive<SampleNow>(_ => HandleSampleNow());
        Receive<GetMetrics>(_ => HandleGetMetrics());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(HostCounters counters, TimeSpan interval, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new MetricsSamplerActor(counters, interval, time));

    protected override void PreStart()
    {
        HandleSampleNow();
        Timers.StartPeriodicTimer(nameof(SampleNow), SampleNow.Instance, _interval);
    }

    /// <summary>Unlike upstream's "since the previous /metrics call", cpu_used_pct covers the last sampling interval.</summary>
    private void HandleSampleNow()
    {
        HostReading reading;
        try
        {
            reading = _counters.Read();
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            if (_latest.Error != e.Message)
            {
                _log.Warning("Sampling failed, /metrics answers 500 until it recovers: {Error}", e.Message);
            }

            _latest = new MetricsResult(null, e.Message);
            return;
        }

        if (_latest.Sample is null)
        {
            _log.Info("Sample taken, next ones every {Interval}", _interval);
        }

        _latest = new MetricsResult(MetricsRules.ToSample(reading, _previousCpu, _time.GetUtcNow()), null);
        _previousCpu = reading.Cpu;
    }

    private void HandleGetMetrics() => Sender.Tell(_latest);

    private sealed class SampleNow : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly SampleNow Instance = new();
    }
}
