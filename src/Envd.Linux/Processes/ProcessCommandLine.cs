namespace Envd.Linux.Processes;

/// <summary>
/// The argv that starts a command: a shell, already the user, waits on fd 3 until Envd has placed it (cgroup, OOM score,
/// nice, I/O priority; see <see cref="ChildPlacement"/>), then execs the command. So the pid reported is the command's,
/// a command that is not found exits 127 from sh as upstream's wrapper makes it, and if Envd dies before the go-ahead
/// the read sees EOF and the command never runs.
/// </summary>
public static class ProcessCommandLine
{
    public const string Shell = "/bin/sh";

    /// <summary>The child's fd on which the go-ahead (one newline) arrives; the command does not inherit it.</summary>
    public const int GoAheadFd = 3;

    public static IReadOnlyList<string> Build(ProcessSpec spec) =>
        [Shell, "-c", $"read -r go <&{GoAheadFd} && exec \"$@\" {GoAheadFd}<&-", "--", spec.Command, .. spec.Args];
}
