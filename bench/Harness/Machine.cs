using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EnvdBench;

/// <summary>What the machine is and what it can do at most: disk writes and loopback TCP.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, long MemoryMiB, string Kernel, string Os, string DotNet, string Nginx, string Wrk, string CurlVersion, string LoadBefore)
{
    public static async Task<MachineInfo> DescribeAsync(Options options, CancellationToken cancel)
    {
        var cpuinfo = File.ReadAllLines("/proc/cpuinfo");
        var model = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memKb = long.Parse(File.ReadAllLines("/proc/meminfo")[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        var os = File.ReadAllLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"') ?? "Linux";
        var nginx = await Child.RunAsync(options.Nginx, ["-v"], TimeSpan.FromSeconds(10), cancel);
        var wrk = await Child.RunAsync("wrk", ["-v"], TimeSpan.FromSeconds(10), cancel);
        var curl = await Child.RunAsync("curl", ["--version"], TimeSpan.FromSeconds(10), cancel);
        return new MachineInfo(
            model, Environment.ProcessorCount, memKb / 1024, File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), os,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            nginx.Stderr.Trim(), wrk.Stdout.Split('\n')[0].Split("Copyright")[0].Trim(), curl.Stdout.Split('\n')[0],
            LoadAverage());
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}

/// <summary>The machine's own ceilings, measured in the same run as the servers.</summary>
internal sealed record MachineLimits(double DiskSyncedMiBps, double DiskCachedMiBps, double LoopbackMiBps, double LoopbackCpuSecondsPerGiB)
{
    public static async Task<MachineLimits> MeasureAsync(Workspace workspace, CancellationToken cancel)
    {
        var target = Path.Combine(workspace.Root, "dd.bin");
        var synced = await DdAsync(target, "conv=fdatasync", cancel);
        File.Delete(target);
        var cached = await DdAsync(target, null, cancel);
        File.Delete(target);
        await Child.RunAsync("sync", [], TimeSpan.FromSeconds(120), cancel);
        var (loopback, cpu) = await IperfAsync(cancel);
        return new MachineLimits(synced, cached, loopback, cpu);
    }

    /// <summary>1 GiB of zeros; with fdatasync it is the disk, without it the page cache.</summary>
    private static async Task<double> DdAsync(string target, string? conv, CancellationToken cancel)
    {
        string[] args = ["if=/dev/zero", $"of={target}", "bs=1M", "count=1024", .. conv is null ? Array.Empty<string>() : [conv]];
        var run = await Child.RunAsync("dd", args, TimeSpan.FromSeconds(180), cancel);
        var match = Regex.Match(run.Stderr, @"(\d+) bytes .* copied, ([\d.]+) s");
        return match.Success
            ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 1048576.0 / double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)
            : double.NaN;
    }

    /// <summary>One iperf3 TCP stream over 127.0.0.1 for 5 s; also its CPU per GiB, the price of the socket copies alone.</summary>
    private static async Task<(double MiBps, double CpuPerGiB)> IperfAsync(CancellationToken cancel)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var server = Child.RunAsync("iperf3", ["-s", "-1", "-B", "127.0.0.1", "-p", port.ToString()], TimeSpan.FromSeconds(60), cancel);
        await Task.Delay(300, cancel);
        var client = await Child.RunAsync("iperf3", ["-c", "127.0.0.1", "-p", port.ToString(), "-t", "5", "-J"], TimeSpan.FromSeconds(60), cancel);
        await server;
        using var json = JsonDocument.Parse(client.Stdout);
        var end = json.RootElement.GetProperty("end");
        var received = end.GetProperty("sum_received");
        var bytes = received.GetProperty("bytes").GetDouble();
        var seconds = received.GetProperty("seconds").GetDouble();
        var cpu = end.GetProperty("cpu_utilization_percent");
        // host_total and remote_total are percents of one core over the test, for the sender and the receiver.
        var cpuSeconds = (cpu.GetProperty("host_total").GetDouble() + cpu.GetProperty("remote_total").GetDouble()) / 100 * seconds;
        return (bytes / 1048576 / seconds, cpuSeconds / (bytes / 1073741824));
    }
}
