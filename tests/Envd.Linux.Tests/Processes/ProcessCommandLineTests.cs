using Envd.Linux.Processes;
using Envd.Linux.Users;

namespace Envd.Linux.Tests.Processes;

public sealed class ProcessCommandLineTests
{
    private static readonly ProcessSpec Spec = new(
        "/bin/bash", ["-l", "-c", "echo hi"], [], "/tmp", new UserAccount("user", 1000, 1000, "/home/user", "/bin/bash", [1000, 27]), null, false);

    [Fact]
    public void A_root_shell_raises_the_oom_score_then_drops_to_the_user_and_execs_the_command()
    {
        var argv = ProcessCommandLine.Build(Spec, new LaunchTools("/usr/bin/setpriv", "/usr/bin/ionice", "/usr/bin/nice", 20));

        Assert.Equal(
            [
                "/bin/sh", "-c",
                "echo 100 > /proc/$$/oom_score_adj && exec '/usr/bin/setpriv' --reuid=1000 --regid=1000 --groups=1000,27 -- "
                + "'/usr/bin/ionice' -c 2 -n 4 '/usr/bin/nice' -n 20 \"${@}\"",
                "--", "/bin/bash", "-l", "-c", "echo hi",
            ],
            argv);
    }

    [Fact]
    public void Leaves_out_missing_tools_and_a_nice_that_would_not_change_anything()
    {
        var argv = ProcessCommandLine.Build(Spec, new LaunchTools("/usr/bin/setpriv", null, "/usr/bin/nice", 0));

        Assert.EndsWith("-- \"${@}\"", argv[2]);
        Assert.DoesNotContain("nice", argv[2]);
    }

    [Fact]
    public void Joins_the_cgroup_first_without_letting_a_failure_stop_the_command()
    {
        var argv = ProcessCommandLine.Build(Spec with { CgroupProcs = "/sys/fs/cgroup/it's/cgroup.procs" }, new LaunchTools("/usr/bin/setpriv", null, null, 0));

        Assert.StartsWith("{ echo $$ > '/sys/fs/cgroup/it'\\''s/cgroup.procs'; } 2>/dev/null; echo 100 > /proc/$$/oom_score_adj && ", argv[2]);
    }

    [Fact]
    public void Without_setpriv_a_start_fails_instead_of_running_as_root()
    {
        var error = Assert.Throws<ProcessStartException>(() => ProcessCommandLine.Build(Spec, new LaunchTools(null, null, null, 0)));

        Assert.Contains("setpriv", error.Message);
    }
}
