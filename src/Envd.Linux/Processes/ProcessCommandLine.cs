using System.Text;

namespace Envd.Linux.Processes;

/// <summary>
/// The argv that starts a command the way upstream envd does: a root shell joins the cgroup (when there is one) and
/// raises the OOM score, then execs setpriv to drop to the user, which execs ionice and nice (when found) and finally
/// the command, so the pid reported is the command's.
/// </summary>
public static class ProcessCommandLine
{
    public const string Shell = "/bin/sh";

    public static IReadOnlyList<string> Build(ProcessSpec spec, LaunchTools tools)
    {
        var setpriv = tools.Setpriv ?? throw new ProcessStartException("setpriv (util-linux) is not installed: processes cannot be started as a user");
        var user = spec.User;
        var script = new StringBuilder();
        if (spec.CgroupProcs is not null)
        {
            // Only root may move a process between cgroups; failing to is not a reason to refuse the command.
            script.Append($"{{ echo $$ > {Quote(spec.CgroupProcs)}; }} 2>/dev/null; ");
        }

        script.Append($"echo 100 > /proc/$$/oom_score_adj && exec {Quote(setpriv)} --reuid={user.Uid} --regid={user.Gid} ");
        script.Append($"--groups={string.Join(',', user.Groups.DefaultIfEmpty(user.Gid))} -- ");
        if (tools.Ionice is not null)
        {
            script.Append($"{Quote(tools.Ionice)} -c 2 -n 4 ");
        }

        if (tools.Nice is not null && tools.NiceDelta != 0)
        {
            script.Append($"{Quote(tools.Nice)} -n {tools.NiceDelta} ");
        }

        script.Append("\"${@}\"");
        return [Shell, "-c", script.ToString(), "--", spec.Command, .. spec.Args];
    }

    /// <summary>Single-quotes a word for sh.</summary>
    private static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
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
