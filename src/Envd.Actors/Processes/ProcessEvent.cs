using Envd.Linux.Processes;

namespace Envd.Actors.Processes;

/// <summary>What a Start or Connect stream carries: start first, then output in order, then the end.</summary>
public abstract record ProcessEvent
{
    private ProcessEvent()
    {
    }

    public sealed record Started(uint Pid) : ProcessEvent;

    public sealed record Output(OutputKind Kind, byte[] Data) : ProcessEvent;

    /// <param name="ExitCode">The exit status, or -1 for a signal death.</param>
    /// <param name="Status">Go's text: "exit status 3", "signal: killed".</param>
    /// <param name="Error">The status again when the process did not succeed.</param>
    public sealed record Ended(int ExitCode, bool Exited, string Status, string? Error) : ProcessEvent
    {
        public static Ended From(ProcessExit exit) => new(exit.Code, exit.Exited, exit.Status, exit.Error);
    }
}
