using System.Globalization;

namespace EnvdBench;

/// <summary>CPU and memory of a process tree, straight from /proc.</summary>
internal static class ProcStat
{
    private static readonly double TicksPerSecond = Native.ClockTicksPerSecond;

    /// <summary>The process and its descendants (nginx's workers), as they are now.</summary>
    public static IReadOnlyList<int> Tree(int root)
    {
        var pids = new List<int> { root };
        for (var i = 0; i < pids.Count && i < 4096; i++)
        {
            foreach (var task in SafeDirectories($"/proc/{pids[i]}/task"))
            {
                var children = SafeRead(Path.Combine(task, "children"));
                pids.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
        }

        return pids;
    }

    /// <summary>utime + stime, in seconds; 0 for a process that is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = SafeRead($"/proc/{pid}/stat");
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return 0;
        }

        // Fields after "(comm) ": state is field 3, so utime (14) and stime (15) sit at 11 and 12.
        var fields = stat[(end + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>A kB field of /proc/PID/status such as VmRSS or VmHWM; 0 for a process that is gone.</summary>
    public static long StatusKb(int pid, string field)
    {
        foreach (var line in SafeRead($"/proc/{pid}/status").Split('\n'))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Resets VmHWM to the current RSS, so the next peak belongs to the next phase.</summary>
    public static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (IOException)
        {
            // The process is gone: it has no peak to reset.
        }
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static IEnumerable<string> SafeDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
