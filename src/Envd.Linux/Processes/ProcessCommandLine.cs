namespace Envd.Linux.Processes;

/// <summary>
/// The argv that starts a command the way upstream envd does: credentials dropped by setpriv, then a shell that raises
/// the OOM score, resets I/O and CPU priority when it can, and execs the command so its pid is the one reported.
/// </summary>
public static class ProcessCommandLine
{
    public const string Shell = "/bin/sh";

    public static IReadOnlyList<string> Build(ProcessSpec spec, LaunchTools tools)
    {
        var prefix = string.Empty;
        if (tools.Ionice is not null)
        {
            prefix += $"{tools.Ionice} -c 2 -n 4 ";
        }

        if (tools.Nice is not null && tools.NiceDelta != 0)
        {
            prefix += $"{tools.Nice} -n {tools.NiceDelta} ";
        }

        var user = spec.User;
        var argv = new List<string>
        {
            tools.Setpriv ?? throw new ProcessStartException("setpriv (util-linux) is not installed: processes cannot be started as a user"),
            $"--reuid={user.Uid}",
            $"--regid={user.Gid}",
            $"--groups={string.Join(',', user.Groups.DefaultIfEmpty(user.Gid))}",
            "--",
            Shell,
            "-c",
            $"echo 100 > /proc/$$/oom_score_adj && exec {prefix}\"${{@}}\"",
            "--",
            spec.Command,
        };
        argv.AddRange(spec.Args);
        return argv;
    }
}

/// <summary>
/// The helper programs found on the daemon's PATH, and how far the child's nice value must move to reach 0. Without
/// setpriv the daemon still serves everything else; only process starts fail.
/// </summary>
public sealed record LaunchTools(string? Setpriv, string? Ionice, string? Nice, int NiceDelta)
{
    public static LaunchTools Discover(string? path, int ownNice) =>
        new(Find("setpriv", path), Find("ionice", path), Find("nice", path), -ownNice);

    private static string? Find(string program, string? path) =>
        (path ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
