using Envd.Linux.Processes;
using Envd.Linux.Users;
using static Envd.Actors.Processes.ProcessProtocol;

namespace Envd.Actors.Processes;

/// <summary>How a client's Start request becomes a <see cref="ProcessSpec"/>, as upstream envd builds it.</summary>
public static class ProcessLaunchRules
{
    /// <summary>
    /// PATH (the daemon's own), HOME, USER and LOGNAME, then Envd's variables, then the request's; a later key replaces
    /// an earlier one. Nothing else is inherited.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Environment(
        UserAccount user, string? daemonPath, IReadOnlyDictionary<string, string> envdEnv, IReadOnlyDictionary<string, string> requested)
    {
        var env = new OrderedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = daemonPath ?? string.Empty,
            ["HOME"] = user.Home,
            ["USER"] = user.Name,
            ["LOGNAME"] = user.Name,
        };
        foreach (var (key, value) in envdEnv.Concat(requested))
        {
            env[key] = value;
        }

        return env.ToList();
    }

    /// <summary>The tag of processes that stay in Envd's own cgroup, which a freeze never touches.</summary>
    public const string SystemTag = "_system";

    /// <param name="cwd">Already resolved and known to exist.</param>
    /// <param name="stdin">Null means the client did not say, which upstream treats as true.</param>
    public static ProcessSpec Spec(
        ProcessConfig config, UserAccount user, string cwd, IReadOnlyDictionary<string, string> envdEnv, string? daemonPath,
        TerminalSize? terminal, bool? stdin, string? tag = null, ProcessCgroups? cgroups = null) =>
        new(config.Cmd, config.Args, Environment(user, daemonPath, envdEnv, config.Envs), cwd, user, terminal, stdin ?? true,
            tag == SystemTag ? null : terminal is null ? cgroups?.Commands : cgroups?.Terminals);
}
