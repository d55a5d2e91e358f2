namespace Envd.Linux.Processes;

/// <summary>Go's descriptions of the Linux signals, which clients see in a process's end status.</summary>
public static class SignalNames
{
    public const int Hangup = 1;
    public const int Kill = 9;
    public const int Terminate = 15;

    private static readonly string[] Descriptions =
    [
        string.Empty, "hangup", "interrupt", "quit", "illegal instruction", "trace/breakpoint trap", "aborted", "bus error",
        "floating point exception", "killed", "user defined signal 1", "segmentation fault", "user defined signal 2",
        "broken pipe", "alarm clock", "terminated", "stack fault", "child exited", "continued", "stopped (signal)",
        "stopped", "stopped (tty input)", "stopped (tty output)", "urgent I/O condition", "CPU time limit exceeded",
        "file size limit exceeded", "virtual timer expired", "profiling timer expired", "window changed",
        "I/O possible", "power failure", "bad system call",
    ];

    public static string Describe(int signal) =>
        signal > 0 && signal < Descriptions.Length ? Descriptions[signal] : $"signal {signal}";
}
