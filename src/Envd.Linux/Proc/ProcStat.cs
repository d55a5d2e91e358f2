using System.Globalization;

namespace Envd.Linux.Proc;

/// <summary>Cumulative CPU time of all CPUs since boot, in clock ticks.</summary>
public readonly record struct CpuTimes(ulong Busy, ulong Total);

/// <summary>Pure parsers for <c>/proc/stat</c>.</summary>
public static class ProcStat
{
    /// <summary>
    /// The aggregate <c>cpu</c> line: total is user+nice+system+idle+iowait+irq+softirq+steal (guest time is already
    /// inside user and nice), busy is total minus idle and iowait.
    /// </summary>
    /// <exception cref="FormatException">No aggregate line, or one with fewer than four counters.</exception>
    public static CpuTimes ParseCpuTimes(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0] != "cpu")
            {
                continue;
            }

            if (fields.Length < 5)
            {
                throw new FormatException($"/proc/stat cpu line has too few fields: {line}");
            }

            var counters = fields.Skip(1).Take(8).Select(Counter).ToArray();
            var total = counters.Aggregate(0UL, (sum, value) => sum + value);
            var idle = counters[3] + (counters.Length > 4 ? counters[4] : 0);
            return new CpuTimes(total - idle, total);
        }

        throw new FormatException("/proc/stat has no aggregate cpu line");
    }

    /// <summary>The per-CPU <c>cpuN</c> lines: the CPU count when <c>/proc/cpuinfo</c> names no processor.</summary>
    public static int CountCpuLines(string text) =>
        text.Split('\n').Count(line => line.Length >= 4 && line.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(line[3]));

    private static ulong Counter(string field) =>
        ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"/proc/stat counter is not a number: {field}");
}
