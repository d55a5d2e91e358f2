using Envd.Linux.Disks;

namespace Envd.Linux.Proc;

/// <summary>The raw counters <c>/metrics</c> is computed from, read at one instant.</summary>
public sealed record HostReading(CpuTimes Cpu, int CpuCount, MemInfo Memory, DiskUsage Disk);

/// <summary>
/// Reads a <see cref="HostReading"/> from a /proc tree and the filesystem holding <paramref name="diskPath"/>; both are
/// settings so tests can point them at fixtures.
/// </summary>
public sealed class HostCounters(string procRoot, string diskPath)
{
    /// <exception cref="IOException">A file could not be read or statfs failed.</exception>
    /// <exception cref="FormatException">A /proc file is not in the expected shape.</exception>
    public HostReading Read()
    {
        var stat = File.ReadAllText(Path.Combine(procRoot, "stat"));
        var processors = CountProcessors();
        return new HostReading(
            ProcStat.ParseCpuTimes(stat),
            processors > 0 ? processors : ProcStat.CountCpuLines(stat),
            MemInfo.Parse(File.ReadAllText(Path.Combine(procRoot, "meminfo"))),
            DiskUsage.Of(diskPath));
    }

    /// <summary>An unreadable cpuinfo is not an error: the count then comes from the per-CPU lines of /proc/stat.</summary>
    private int CountProcessors()
    {
        try
        {
            return CpuInfo.CountProcessors(File.ReadAllText(Path.Combine(procRoot, "cpuinfo")));
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
