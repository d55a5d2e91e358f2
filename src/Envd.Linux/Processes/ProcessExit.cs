namespace Envd.Linux.Processes;

/// <summary>How a child ended, from its wait status, described the way Go's os.ProcessState does.</summary>
public sealed record ProcessExit(int? ExitStatus, int? Signal, bool CoreDumped)
{
    /// <summary>True when the child called exit (as opposed to dying from a signal).</summary>
    public bool Exited => ExitStatus is not null;

    /// <summary>The exit status, or -1 for a signal death (Go's ExitCode).</summary>
    public int Code => ExitStatus ?? -1;

    public bool Success => ExitStatus == 0;

    /// <summary>"exit status 3", "signal: killed", "signal: segmentation fault (core dumped)".</summary>
    public string Status =>
        (Exited ? $"exit status {ExitStatus}" : $"signal: {SignalNames.Describe(Signal ?? 0)}") + (CoreDumped ? " (core dumped)" : string.Empty);

    /// <summary>The text Go's Wait returns as its error: the status unless the child succeeded.</summary>
    public string? Error => Success ? null : Status;

    public static ProcessExit FromWaitStatus(int status)
    {
        var signal = status & 0x7f;
        return signal == 0
            ? new ProcessExit((status >> 8) & 0xff, null, false)
            : new ProcessExit(null, signal, (status & 0x80) != 0);
    }
}
