using Envd.Linux.Users;

namespace Envd.Linux.Processes;

/// <summary>
/// Everything needed to start a child: the command, its final environment (in order, no duplicate keys), an existing
/// working directory, the user it runs as, either a pseudo-terminal or pipes (stdin only when asked), and the
/// <c>cgroup.procs</c> file of the cgroup it joins (null: it stays in Envd's).
/// </summary>
public sealed record ProcessSpec(
    string Command,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string WorkingDirectory,
    UserAccount User,
    TerminalSize? Terminal,
    bool Stdin,
    string? CgroupProcs = null);
