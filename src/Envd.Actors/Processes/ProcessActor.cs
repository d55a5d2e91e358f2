using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Envd.Linux.Processes;
using static Envd.Actors.Processes.ProcessProtocol;

namespace Envd.Actors.Processes;

/// <summary>
/// Owns one child: its output, fanned out to every subscriber through a broadcast hub (backpressured while someone
/// listens, dropped while nobody does), its input, its kill timer and its exit. After the exit and the end of output it
/// keeps answering Connect with the end for the retention period, then asks its parent to stop it.
/// </summary>
public sealed class ProcessActor : ReceiveActor, IWithTimers
{
    /// <summary>Elements (chunks of at most 32 KiB) a slow subscriber may lag behind before the child is held back.</summary>
    private const int HubBuffer = 16;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _id;
    private readonly ChildProcess _child;
    private readonly TimeSpan? _timeout;
    private readonly ProcessTimings _timings;
    private readonly CancellationTokenSource _drain = new();
    private readonly TaskCompletionSource<ProcessEvent> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorMaterializer _materializer = Context.Materializer();
    private Source<ProcessEvent, NotUsed> _output = Source.Empty<ProcessEvent>();
    private ProcessEvent.Ended? _ended;
    private bool _outputEnded;
    private bool _signalled;

    public ProcessActor(long id, ChildProcess child, TimeSpan? timeout, ProcessTimings timings)
    {
        _id = id;
        _child = child;
        _timeout = timeout;
        _timings = timings;
        Running();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private uint Pid => (uint)_child.Pid;

    public static Props Props(long id, ChildProcess child, TimeSpan? timeout, ProcessTimings timings) =>
        Akka.Actor.Props.Create(() => new ProcessActor(id, child, timeout, timings));

    protected override void PreStart()
    {
        // Two consumers before anything flows: the drain below and the starter, so the starter sees the first byte.
        _output = OutputSource().RunWith(BroadcastHub.Sink<ProcessEvent>(startAfterNrOfConsumers: 2, bufferSize: HubBuffer), _materializer);
        _output.RunWith(Sink.Ignore<ProcessEvent>(), _materializer)
            .PipeTo(Self, success: _ => OutputEnded.Instance, failure: e => new OutputFailed(e));
        _child.Exit.PipeTo(Self, success: exit => new ExitObserved(ProcessEvent.Ended.From(exit)), failure: e => new ExitObserved(Unreaped(e)));
        Timers.StartSingleTimer(StarterDeadline.Instance, StarterDeadline.Instance, _timings.StarterGrace);
        if (_timeout is { } timeout)
        {
            Timers.StartSingleTimer(KillDeadline.Instance, KillDeadline.Instance, timeout);
        }
    }

    /// <summary>Only a crash or the daemon's shutdown stops an actor whose child still runs: the child must not outlive it.</summary>
    protected override void PostStop()
    {
        if (_ended is null)
        {
            KillGroup();
        }

        _child.Dispose();
        _drain.Dispose();
    }

    private void Running()
    {
        Receive<Subscribe>(HandleSubscribe);
        Receive<SignalProcess>(HandleSignal);
        Receive<ResizeTerminal>(HandleResize);
        Receive<GetProcessInput>(HandleGetInput);
        Receive<CloseStdin>(HandleCloseStdin);
        Receive<KillDeadline>(_ => HandleKillDeadline());
        Receive<StarterDeadline>(_ => HandleStarterDeadline());
        Receive<StarterAttached>(_ => Timers.Cancel(StarterDeadline.Instance));
        Receive<ExitObserved>(HandleExit);
        Receive<OutputEnded>(_ => HandleOutputEnded());
        Receive<OutputFailed>(HandleOutputFailed);
    }

    /// <summary>Exited, and no more output: serves the retained end until the retention period is over.</summary>
    private void Retained()
    {
        Receive<Subscribe>(HandleRetainedSubscribe);
        Receive<SignalProcess>(HandleSignal);
        Receive<ResizeTerminal>(HandleResize);
        Receive<GetProcessInput>(HandleGetInput);
        Receive<CloseStdin>(HandleCloseStdin);
        Receive<RetentionOver>(_ => Context.Parent.Tell(new Retired(_id)));

        // The starter of a quick process may attach after everything is over.
        Receive<StarterAttached>(_ => { });
    }

    private void HandleRetainedSubscribe(Subscribe message) =>
        Sender.Tell(new SubscribeResult(new ProcessSubscription(Pid, Source.From<ProcessEvent>([new ProcessEvent.Started(Pid), _ended!])), null));

    private void HandleSubscribe(Subscribe message)
    {
        var started = Source.Single<ProcessEvent>(new ProcessEvent.Started(Pid));
        var end = Source.FromTask(_end.Task);
        var events = started.Concat(_output).Concat(end);
        if (message.Starter)
        {
            var self = Self;
            events = events.MapMaterializedValue(notUsed =>
            {
                self.Tell(StarterAttached.Instance);
                return notUsed;
            });
        }

        Sender.Tell(new SubscribeResult(new ProcessSubscription(Pid, events), null));
    }

    private void HandleSignal(SignalProcess message)
    {
        if (_ended is not null)
        {
            Sender.Tell(new ProcessCommandResult(ProcessError.NotFound(message.Process)));
            return;
        }

        _signalled = true;
        try
        {
            if (!_child.SignalGroup(message.Signal))
            {
                // Already reaped, though its exit has not reached this actor yet.
                Sender.Tell(new ProcessCommandResult(ProcessError.NotFound(message.Process)));
                return;
            }

            _log.Info("Process {0}: signal {1} sent to its group", Pid, message.Signal);
            Sender.Tell(ProcessCommandResult.Done);
        }
        catch (IOException e)
        {
            Sender.Tell(new ProcessCommandResult(new ProcessError(ProcessErrorCode.Internal, $"error sending signal: {e.Message}")));
        }
    }

    private void HandleResize(ResizeTerminal message)
    {
        if (_ended is not null)
        {
            Sender.Tell(new ProcessCommandResult(ProcessError.NotFound(message.Process)));
            return;
        }

        try
        {
            _child.Resize(message.Size);
            Sender.Tell(ProcessCommandResult.Done);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            Sender.Tell(new ProcessCommandResult(new ProcessError(ProcessErrorCode.Internal, $"error resizing tty: {e.Message}")));
        }
    }

    private void HandleGetInput(GetProcessInput message)
    {
        Sender.Tell((message.Kind, _child.IsTerminal) switch
        {
            _ when _ended is not null => new ProcessInputResult(null, ProcessError.NotFound(message.Process)),
            (InputKind.Stdin, true) => Refused("error writing to stdin: tty assigned to process — input should be written to the pty, not the stdin"),
            (InputKind.Pty, false) => Refused("error writing to tty: tty not assigned to process — input should be written to the stdin, not the pty"),
            (InputKind.Stdin, false) when _child.Input is null or { IsClosed: true } => Refused("error writing to stdin: stdin not enabled or closed"),
            _ => new ProcessInputResult(_child.Input, null),
        });

        static ProcessInputResult Refused(string message) => new(null, new ProcessError(ProcessErrorCode.Internal, message));
    }

    private void HandleCloseStdin(CloseStdin message)
    {
        if (_ended is not null)
        {
            Sender.Tell(new ProcessCommandResult(ProcessError.NotFound(message.Process)));
            return;
        }

        if (_child.IsTerminal)
        {
            Sender.Tell(new ProcessCommandResult(new ProcessError(
                ProcessErrorCode.Unknown, "error closing stdin: cannot close stdin for PTY process — send Ctrl+D (0x04) instead")));
            return;
        }

        _child.Input?.Close();
        Sender.Tell(ProcessCommandResult.Done);
    }

    private void HandleKillDeadline()
    {
        _log.Info("Process {0}: timeout of {1} reached, killing its group", Pid, _timeout);
        _signalled = true;
        KillGroup();
    }

    private void KillGroup()
    {
        try
        {
            _child.SignalGroup(SignalNames.Kill);
        }
        catch (IOException e)
        {
            _log.Error("Process {0}: killing its group failed: {1}", Pid, e.Message);
        }
    }

    private void HandleStarterDeadline()
    {
        _log.Warning("Process {0}: its starter never attached; output flows without it", Pid);
        _output.RunWith(Sink.Ignore<ProcessEvent>(), _materializer);
    }

    private void HandleExit(ExitObserved message)
    {
        _ended = message.Ended;
        _end.TrySetResult(message.Ended);
        Timers.Cancel(KillDeadline.Instance);
        _child.Input?.Close();
        Context.Parent.Tell(new Exited(_id));
        _log.Info("Process {0}: {1}", Pid, message.Ended.Status);
        if (_signalled)
        {
            // A signalled process ends without waiting for output held open by escaped descendants.
            _drain.Cancel();
        }

        RetainWhenDone();
    }

    private void HandleOutputEnded()
    {
        _outputEnded = true;
        RetainWhenDone();
    }

    private void HandleOutputFailed(OutputFailed message)
    {
        _log.Error(message.Cause, "Process {0}: reading its output failed", Pid);
        HandleOutputEnded();
    }

    private void RetainWhenDone()
    {
        if (_ended is null || !_outputEnded)
        {
            return;
        }

        _child.Dispose();
        Timers.Cancel(StarterDeadline.Instance);
        Timers.StartSingleTimer(RetentionOver.Instance, RetentionOver.Instance, _timings.Retention);
        Become(Retained);
    }

    private Source<ProcessEvent, NotUsed> OutputSource()
    {
        var drain = _drain.Token;
        return _child.Outputs
            .Select(reader => Source.From(() => reader.ReadAllAsync(drain)).Select(ProcessEvent (data) => new ProcessEvent.Output(reader.Kind, data)))
            .Aggregate((merged, next) => merged.Merge(next));
    }

    private static ProcessEvent.Ended Unreaped(Exception cause) => new(-1, false, "unknown", cause.Message);

    /// <summary>Subscribes the sender; the supervisor forwards it, the starter's right after the spawn.</summary>
    internal sealed record Subscribe(bool Starter);

    /// <summary>Tells the supervisor the child was reaped, so List stops showing it.</summary>
    internal sealed record Exited(long Id);

    /// <summary>Tells the supervisor the retained end may go: it stops this actor.</summary>
    internal sealed record Retired(long Id);

    private sealed record ExitObserved(ProcessEvent.Ended Ended);

    private sealed record OutputFailed(Exception Cause);

    private sealed class OutputEnded : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly OutputEnded Instance = new();
    }

    private sealed class KillDeadline : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly KillDeadline Instance = new();
    }

    private sealed class StarterDeadline : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly StarterDeadline Instance = new();
    }

    private sealed class StarterAttached : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly StarterAttached Instance = new();
    }

    private sealed class RetentionOver : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly RetentionOver Instance = new();
    }
}
