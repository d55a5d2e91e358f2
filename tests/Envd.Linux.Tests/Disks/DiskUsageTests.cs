using System.Diagnostics;
using System.Globalization;
using Envd.Linux.Disks;
using Envd.Linux.Native;

namespace Envd.Linux.Tests.Disks;

public sealed class DiskUsageTests
{
    [Fact]
    public void Statfs_matches_what_stat_reports_for_the_same_filesystem()
    {
        var (blocks, available, blockSize) = StatFilesystem("/");

        var usage = DiskUsage.Of("/");

        Assert.Equal(blocks * blockSize, usage.Total);
        // Other processes write while the test runs: allow 1 GiB of drift in the used figure.
        var expectedUsed = (double)(blocks - available) * blockSize;
        Assert.InRange(usage.Used, expectedUsed - (1 << 30), expectedUsed + (1 << 30));
    }

    [Fact]
    public void Statfs_of_a_missing_path_keeps_the_errno()
    {
        var error = Assert.Throws<NativeErrorException>(() => DiskUsage.Of("/nonexistent/envd-test"));

        Assert.Equal(2, error.Errno);
        Assert.Contains("statfs /nonexistent/envd-test", error.Message);
    }

    private static (ulong Blocks, ulong Available, ulong BlockSize) StatFilesystem(string path)
    {
        var start = new ProcessStartInfo("stat", ["-f", "-c", "%b %a %s", path]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var fields = process.StandardOutput.ReadToEnd().Trim().Split(' ').Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        process.WaitForExit();
        return (fields[0], fields[1], fields[2]);
    }
}
