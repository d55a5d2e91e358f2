using Envd.Linux.Processes;

namespace Envd.Linux.Tests.Processes;

public sealed class ProcessExitTests
{
    [Theory]
    [InlineData(0x0000, 0, true, "exit status 0", null)]
    [InlineData(0x0300, 3, true, "exit status 3", "exit status 3")]
    [InlineData(0x7f00, 127, true, "exit status 127", "exit status 127")]
    [InlineData(0x0009, -1, false, "signal: killed", "signal: killed")]
    [InlineData(0x000f, -1, false, "signal: terminated", "signal: terminated")]
    [InlineData(0x008b, -1, false, "signal: segmentation fault (core dumped)", "signal: segmentation fault (core dumped)")]
    [InlineData(0x0040, -1, false, "signal: signal 64", "signal: signal 64")]
    public void Describes_wait_statuses_like_go(int status, int code, bool exited, string text, string? error)
    {
        var exit = ProcessExit.FromWaitStatus(status);

        Assert.Equal(code, exit.Code);
        Assert.Equal(exited, exit.Exited);
        Assert.Equal(text, exit.Status);
        Assert.Equal(error, exit.Error);
    }
}
