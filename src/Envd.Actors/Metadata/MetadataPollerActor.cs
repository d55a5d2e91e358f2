using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Envd.Actors.Init;
using Envd.Actors.Logs;
using Envd.Linux.Metadata;
using Envd.Linux.Sandbox;
using static Envd.Actors.Metadata.MetadataProtocol;

namespace Envd.Actors.Metadata;

/// <summary>
/// Learns who this sandbox is from the VM's metadata service: polls every 50 ms until one full success, then tells
/// the requester the ids, writes them under the run directory and hands the log collector to the exporter.
/// </summary>
public sealed class MetadataPollerActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IInstanceMetadata _metadata;
    private readonly RunDirectory _runDirectory;
    private readonly IActorRef? _logExporter;
    private readonly CancellationTokenSource _stopping = new();
    private IActorRef _requester = ActorRefs.Nobody;
    private long? _deadline;
    private bool _polling;
    private bool _inFlight;
    private string _lastError = "no answer yet";

    /// <param name="logExporter">Told where to ship logs; null when logs are not exported.</param>
    public MetadataPollerActor(IInstanceMetadata metadata, RunDirectory runDirectory, IActorRef? logExporter)
    {
        _metadata = metadata;
        _runDirectory = runDirectory;
        _logExporter = logExporter;
        Receive<PollMetadata>(HandlePoll);
        Receive<Tick>(_ => HandleTick());
        Receive<Fetched>(HandleFetched);
        Receive<FetchFailed>(HandleFetchFailed);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IInstanceMetadata metadata, RunDirectory runDirectory, IActorRef? logExporter) =>
        Akka.Actor.Props.Create(() => new MetadataPollerActor(metadata, runDirectory, logExporter));

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>A poll already running keeps going with the later of both deadlines (none beats any).</summary>
    private void HandlePoll(PollMetadata message)
    {
        _requester = Sender;
        long? deadline = message.Deadline is { } d ? Stopwatch.GetTimestamp() + (long)(d.TotalSeconds * Stopwatch.Frequency) : null;
        if (_polling)
        {
            _deadline = _deadline is null || deadline is null ? null : Math.Max(_deadline.Value, deadline.Value);
            return;
        }

        _polling = true;
        _deadline = deadline;
        Timers.StartPeriodicTimer("poll", Tick.Instance, PollInterval);
        StartFetch();
    }

    private void HandleTick()
    {
        if (_inFlight)
        {
            return;
        }

        if (_deadline is { } deadline && Stopwatch.GetTimestamp() > deadline)
        {
            Stop();
            Console.Error.WriteLine($"<4>gave up polling for mmds opts: {_lastError}");
            _log.Warning("Gave up polling the metadata service: {0}", _lastError);
            return;
        }

        StartFetch();
    }

    private void StartFetch()
    {
        _inFlight = true;
        _metadata.FetchAsync(_stopping.Token).PipeTo(Self, success: m => new Fetched(m), failure: e => new FetchFailed(e));
    }

    private void HandleFetched(Fetched message)
    {
        _inFlight = false;
        if (!_polling)
        {
            return;
        }

        Stop();
        var metadata = message.Metadata;
        var sandboxId = metadata.InstanceId ?? string.Empty;
        var templateId = metadata.TemplateId ?? string.Empty;
        _requester.Tell(new InitProtocol.SetInternalEnv(InitRules.SandboxIdVar, sandboxId));
        _requester.Tell(new InitProtocol.SetInternalEnv(InitRules.TemplateIdVar, templateId));
        try
        {
            _runDirectory.WriteSandboxIds(sandboxId, templateId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error("Writing the sandbox ids under {0} failed: {1}", _runDirectory.Path, e.Message);
        }

        if (_logExporter is not null && Uri.TryCreate(metadata.LogsAddress, UriKind.Absolute, out var collector))
        {
            _logExporter.Tell(new LogExportProtocol.ExportLogs(collector, sandboxId, templateId));
        }

        _log.Info("Metadata received: sandbox {0}, template {1}", sandboxId, templateId);
    }

    private void HandleFetchFailed(FetchFailed message)
    {
        _inFlight = false;
        _lastError = message.Error.GetBaseException().Message;
    }

    private void Stop()
    {
        _polling = false;
        _deadline = null;
        Timers.Cancel("poll");
    }

    private sealed record Fetched(InstanceMetadata Metadata);

    private sealed record FetchFailed(Exception Error);

    private sealed class Tick : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();

        private Tick()
        {
        }
    }
}
