using Akka.Actor;
using Akka.Event;
using Envd.Linux.Processes;
using static Envd.Actors.Processes.ProcessProtocol;

namespace Envd.Actors.Processes;

/// <summary>
/// Starts processes and knows them by pid and tag: one <see cref="ProcessActor"/> child per process, found through the
/// <see cref="ProcessTable"/>. Requests about a process are forwarded to its actor, which answers the caller.
/// </summary>
public sealed class ProcessSupervisor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ProcessLauncher _launcher;
    private readonly ProcessTimings _timings;
    private readonly Dictionary<long, IActorRef> _actors = [];
    private ProcessTable _table = ProcessTable.Empty;
    private long _lastId;

    public ProcessSupervisor(ProcessLauncher launcher, ProcessTimings timings)
    {
        _launcher = launcher;
        _timings = timings;
        Receive<StartProcess>(HandleStart);
        Receive<ConnectProcess>(HandleConnect);
        Receive<SignalProcess>(HandleSignal);
        Receive<ResizeTerminal>(HandleResize);
        Receive<CloseStdin>(HandleCloseStdin);
        Receive<GetProcessInput>(HandleGetInput);
        Receive<GetProcesses>(HandleGetProcesses);
        Receive<ProcessActor.Exited>(HandleExited);
        Receive<ProcessActor.Retired>(HandleRetired);
        Receive<Terminated>(HandleTerminated);
    }

    public static Props Props(ProcessLauncher launcher, ProcessTimings timings) =>
        Akka.Actor.Props.Create(() => new ProcessSupervisor(launcher, timings));

    /// <summary>A process actor that fails is stopped: restarting it could not bring back the child it owned.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void HandleStart(StartProcess message)
    {
        ChildProcess child;
        try
        {
            child = _launcher.Start(message.Spec);
        }
        catch (ProcessStartException e)
        {
            _log.Warning("Start failed: {0}", e.Message);
            Sender.Tell(new SubscribeResult(null, new ProcessError(ProcessErrorCode.InvalidArgument, e.Message)));
            return;
        }

        var id = ++_lastId;
        var actor = Context.ActorOf(ProcessActor.Props(id, child, message.Timeout, _timings), $"process-{id}");
        Context.Watch(actor);
        _actors[id] = actor;
        _table = ProcessTableRules.Add(_table, new ProcessEntry(id, (uint)child.Pid, message.Tag, message.Config, Running: true));
        _log.Info("Process {0} started as {1}: {2}", child.Pid, message.Spec.User.Name, message.Config.Cmd);
        actor.Forward(new ProcessActor.Subscribe(Starter: true));
    }

    /// <summary>Connect reaches exited processes too, while their end is retained.</summary>
    private void HandleConnect(ConnectProcess message) =>
        ForwardTo(message.Process, runningOnly: false, new ProcessActor.Subscribe(Starter: false), ProcessNotFound);

    private void HandleSignal(SignalProcess message) => ForwardTo(message.Process, runningOnly: true, message, CommandNotFound);

    private void HandleResize(ResizeTerminal message) => ForwardTo(message.Process, runningOnly: true, message, CommandNotFound);

    private void HandleCloseStdin(CloseStdin message) => ForwardTo(message.Process, runningOnly: true, message, CommandNotFound);

    private void HandleGetInput(GetProcessInput message) =>
        ForwardTo(message.Process, runningOnly: true, message, selector => new ProcessInputResult(null, ProcessError.NotFound(selector)));

    private void HandleGetProcesses(GetProcesses message) => Sender.Tell(new ProcessesResult(ProcessTableRules.Running(_table)));

    private void HandleExited(ProcessActor.Exited message) => _table = ProcessTableRules.MarkExited(_table, message.Id);

    private void ForwardTo(ProcessSelector selector, bool runningOnly, object message, Func<ProcessSelector, object> notFound)
    {
        var entry = ProcessTableRules.Find(_table, selector, runningOnly);
        if (entry is null || !_actors.TryGetValue(entry.Id, out var actor))
        {
            Sender.Tell(notFound(selector));
            return;
        }

        actor.Forward(message);
    }

    private void HandleRetired(ProcessActor.Retired message)
    {
        _table = ProcessTableRules.Remove(_table, message.Id);
        if (_actors.Remove(message.Id, out var actor))
        {
            // An expected stop: unwatched, it does not send a Terminated that would be matched against every actor.
            Context.Unwatch(actor);

            // Queued behind anything already forwarded to it, which it still answers.
            actor.Tell(PoisonPill.Instance);
        }
    }

    private void HandleTerminated(Terminated message)
    {
        foreach (var (id, actor) in _actors.Where(kv => kv.Value.Equals(message.ActorRef)).ToList())
        {
            _actors.Remove(id);
            _table = ProcessTableRules.Remove(_table, id);
            _log.Warning("Process actor {0} stopped before its retention ended", actor.Path.Name);
        }
    }

    private static object ProcessNotFound(ProcessSelector selector) => new SubscribeResult(null, ProcessError.NotFound(selector));

    private static object CommandNotFound(ProcessSelector selector) => new ProcessCommandResult(ProcessError.NotFound(selector));
}
