using Envd.Linux.Processes;
using Envd.Linux.Users;

namespace Envd.Linux.Tests.Processes;

public sealed class ProcessCommandLineTests
{
    private static readonly ProcessSpec Spec = new(
        "/bin/bash", ["-l", "-c", "echo hi"], [], "/tmp", new UserAccount("user", 1000, 1000, "/home/user", "/bin/bash", [1000, 27]), null, false);

    [Fact]
    public void A_shell_waits_for_the_go_ahead_on_fd_3_then_execs_the_command_without_it()
    {
        Assert.Equal(
            ["/bin/sh", "-c", "read -r go <&3 && exec \"$@\" 3<&-", "--", "/bin/bash", "-l", "-c", "echo hi"],
            ProcessCommandLine.Build(Spec));
    }
}
