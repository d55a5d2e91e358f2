using Akka;
using Akka.Streams.Dsl;
using Envd.Linux.Processes;

namespace Envd.Actors.Processes;

public static class ProcessProtocol
{
    /// <summary>The command as the client gave it (cwd unresolved), which List reports back.</summary>
    public sealed record ProcessConfig(string Cmd, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Envs, string? Cwd);

    /// <summary>A process by pid or by tag; exactly one is set.</summary>
    public sealed record ProcessSelector(uint? Pid, string? Tag)
    {
        public static ProcessSelector ByPid(uint pid) => new(pid, null);

        public static ProcessSelector ByTag(string tag) => new(null, tag);

        public override string ToString() => Pid is { } pid ? $"process with pid {pid}" : $"process with tag {Tag}";
    }

    public enum ProcessErrorCode
    {
        InvalidArgument,
        NotFound,
        Internal,
        Unknown,
    }

    public sealed record ProcessError(ProcessErrorCode Code, string Message)
    {
        public static ProcessError NotFound(ProcessSelector selector) => new(ProcessErrorCode.NotFound, $"{selector} not found");
    }

    /// <summary>Starts <paramref name="Spec"/> and subscribes the caller; <paramref name="Timeout"/> is the kill timer.</summary>
    public sealed record StartProcess(ProcessSpec Spec, ProcessConfig Config, string? Tag, TimeSpan? Timeout);

    /// <summary>Subscribes the caller to a live process, or to the retained end of one that exited recently.</summary>
    public sealed record ConnectProcess(ProcessSelector Process);

    /// <summary>The reply to <see cref="StartProcess"/> and <see cref="ConnectProcess"/>.</summary>
    public sealed record SubscribeResult(ProcessSubscription? Subscription, ProcessError? Error);

    /// <summary>
    /// A stream of the process's events, to be run exactly once: start, output from now on, end. Leaving it early only
    /// unsubscribes; the process keeps running.
    /// </summary>
    public sealed record ProcessSubscription(uint Pid, Source<ProcessEvent, NotUsed> Events);

    public sealed record GetProcesses
    {
        public static readonly GetProcesses Instance = new();
    }

    public sealed record ProcessInfo(uint Pid, string? Tag, ProcessConfig Config);

    public sealed record ProcessesResult(IReadOnlyList<ProcessInfo> Processes);

    /// <summary>Signals the process's whole group.</summary>
    public sealed record SignalProcess(ProcessSelector Process, int Signal);

    public sealed record ResizeTerminal(ProcessSelector Process, TerminalSize Size);

    public sealed record CloseStdin(ProcessSelector Process);

    /// <summary>The reply to <see cref="SignalProcess"/>, <see cref="ResizeTerminal"/> and <see cref="CloseStdin"/>.</summary>
    public sealed record ProcessCommandResult(ProcessError? Error)
    {
        public static readonly ProcessCommandResult Done = new((ProcessError?)null);
    }

    public enum InputKind
    {
        Stdin,
        Pty,
    }

    /// <summary>Asks for the process's input so the caller can write to it without bytes crossing a mailbox.</summary>
    public sealed record GetProcessInput(ProcessSelector Process, InputKind Kind);

    public sealed record ProcessInputResult(InputWriter? Input, ProcessError? Error);
}
