using Envd.Actors.Processes;
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
}
