using Envd.Actors.Hosting;
using Envd.Web.Hosting;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void No_flags_mean_the_vm_defaults()
    {
        var line = CommandLine.Parse([]);

        Assert.Null(line.Error);
        Assert.Equal(new EnvdSettings(), line.Settings);
        Assert.Equal(49983, line.Settings.Port);
        Assert.False(line.Settings.IsNotFc);
    }

    [Theory]
    [InlineData("-port", "1234")]
    [InlineData("--port", "1234")]
    [InlineData("-port=1234")]
    [InlineData("--port=1234")]
    public void The_port_takes_go_flag_syntax(params string[] args)
    {
        Assert.Equal(1234, CommandLine.Parse(args).Settings.Port);
    }

    [Fact]
    public void Boolean_flags_are_bare_or_take_a_go_boolean()
    {
        var line = CommandLine.Parse(["-isnotfc", "--verbose=true", "-no-cgroups=1", "-cgroup-root", "/cg"]);

        Assert.Null(line.Error);
        Assert.Equal((true, true, true, "/cg"), (line.Settings.IsNotFc, line.Settings.Verbose, line.Settings.NoCgroups, line.Settings.CgroupRoot));
        Assert.False(CommandLine.Parse(["-isnotfc=false"]).Settings.IsNotFc);
        Assert.True(CommandLine.Parse(["-version"]).PrintVersion);
        Assert.True(CommandLine.Parse(["--commit"]).PrintCommit);
    }

    [Theory]
    [InlineData("flag provided but not defined: -cmd", "-cmd", "ls")]
    [InlineData("invalid value \"abc\" for flag -port", "-port", "abc")]
    [InlineData("invalid value \"70000\" for flag -port", "-port=70000")]
    [InlineData("invalid value \"-1\" for flag -port", "-port", "-1")]
    [InlineData("invalid value \"\" for flag -port", "-port")]
    [InlineData("invalid boolean value \"maybe\" for -verbose", "-verbose=maybe")]
    [InlineData("flag needs an argument: -cgroup-root", "-cgroup-root")]
    [InlineData("unexpected argument: serve", "serve")]
    public void Bad_flags_are_reported(string error, params string[] args)
    {
        var line = CommandLine.Parse(args);

        Assert.Equal(error, line.Error);
    }

    [Fact]
    public async Task The_executable_prints_the_version_and_exits_0()
    {
        var (exitCode, stdout, _) = await DaemonProcess.RunToExitAsync("-version");

        Assert.Equal(0, exitCode);
        Assert.Equal(EnvdVersion.Upstream + "\n", stdout);
    }

    [Fact]
    public async Task The_executable_exits_2_on_a_bad_flag_and_says_why()
    {
        var (exitCode, stdout, stderr) = await DaemonProcess.RunToExitAsync("--bogus");

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Equal("flag provided but not defined: -bogus\n", stderr);
    }

    [Fact]
    public async Task The_executable_serves_on_the_port_it_is_given()
    {
        var (daemon, client) = await DaemonProcess.StartAsync();
        using (daemon)
        using (client)
        {
            using var response = await client.GetAsync("/metrics");

            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
    }
}
