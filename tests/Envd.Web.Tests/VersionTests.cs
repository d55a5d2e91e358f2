using System.Diagnostics;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

public sealed class VersionTests
{
    [Fact]
    public async Task Init_reports_the_emulated_upstream_version_even_on_errors()
    {
        await using var server = await EnvdServer.StartAsync();

        using var ok = await server.Client.PostAsync("/init", null);
        using var bad = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":""}"""));

        Assert.Equal("0.6.11", ok.Headers.GetValues("X-Envd-Version").Single());
        Assert.Equal("0.6.11", bad.Headers.GetValues("X-Envd-Version").Single());
    }

    [Fact]
    public void The_version_flag_prints_the_same_version()
    {
        var envd = Path.Combine(AppContext.BaseDirectory, "envd.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [envd, "-version"]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("0.6.11\n", output);
    }
}
