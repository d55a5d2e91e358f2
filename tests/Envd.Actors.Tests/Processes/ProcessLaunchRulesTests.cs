using Envd.Actors.Processes;
using Envd.Linux.Processes;
using Envd.Linux.Users;

namespace Envd.Actors.Tests.Processes;

public sealed class ProcessLaunchRulesTests
{
    [Fact]
    public void The_environment_is_path_home_user_logname_then_envd_vars_then_the_requests_with_later_keys_winning()
    {
        var user = new UserAccount("alice", 1000, 1000, "/home/alice", "/bin/bash", [1000]);

        var env = ProcessLaunchRules.Environment(
            user,
            "/usr/bin:/bin",
            new Dictionary<string, string> { ["E2B_SANDBOX"] = "true", ["HOME"] = "/srv" },
            new Dictionary<string, string> { ["E2B_SANDBOX"] = "mine", ["FOO"] = "bar" });

        Assert.Equal(
            [new("PATH", "/usr/bin:/bin"), new("HOME", "/srv"), new("USER", "alice"), new("LOGNAME", "alice"), new("E2B_SANDBOX", "mine"), new("FOO", "bar")],
            env);
    }

    [Theory]
    [InlineData(false, null, "/cg/user/cgroup.procs")]
    [InlineData(true, null, "/cg/ptys/cgroup.procs")]
    [InlineData(false, "_system", null)]
    public void Commands_and_terminals_join_their_cgroups_and_system_processes_stay_with_envd(bool terminal, string? tag, string? expected)
    {
        var user = new UserAccount("alice", 1000, 1000, "/home/alice", "/bin/bash", [1000]);
        var config = new ProcessProtocol.ProcessConfig("/bin/true", [], new Dictionary<string, string>(), null);

        var spec = ProcessLaunchRules.Spec(
            config, user, "/tmp", new Dictionary<string, string>(), "/bin", terminal ? new TerminalSize(80, 24) : null, null, tag,
            new ProcessCgroups("/cg/user/cgroup.procs", "/cg/ptys/cgroup.procs"));

        Assert.Equal(expected, spec.CgroupProcs);
        Assert.True(spec.Stdin);
    }
}
