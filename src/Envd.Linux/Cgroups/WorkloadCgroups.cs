using System.Globalization;

namespace Envd.Linux.Cgroups;

/// <summary>The cgroups envd places sandbox processes in, each with its own weights and limits.</summary>
public enum WorkloadCgroup
{
    /// <summary>Commands started through the process service.</summary>
    User,

    /// <summary>Interactive terminals.</summary>
    Pty,

    /// <summary>Port forwarders (upstream's socat processes).</summary>
    Forwarder,
}

/// <summary>
/// The <c>user</c>, <c>ptys</c> and <c>socats</c> cgroups under the cgroup2 root, or <see cref="None"/> when cgroups are
/// off (<c>-no-cgroups</c>) or the root is not a cgroup2 mount.
/// </summary>
public sealed class WorkloadCgroups
{
    public static readonly WorkloadCgroups None = new(null);

    private WorkloadCgroups(string? root) => Root = root;

    /// <summary>The cgroup2 directory the groups live under, or null when cgroups are off.</summary>
    public string? Root { get; }

    public static string DirectoryName(WorkloadCgroup group) => group switch
    {
        WorkloadCgroup.User => "user",
        WorkloadCgroup.Pty => "ptys",
        _ => "socats",
    };

    /// <summary>The group's directory, or null when cgroups are off.</summary>
    public string? DirectoryOf(WorkloadCgroup group) => Root is null ? null : Path.Combine(Root, DirectoryName(group));

    /// <summary>
    /// The <c>cgroup.procs</c> file a child's pid is written to for it to join the group, or null when cgroups are off and
    /// processes stay where they are.
    /// </summary>
    public string? ProcsPath(WorkloadCgroup group) => DirectoryOf(group) is { } directory ? Path.Combine(directory, "cgroup.procs") : null;

    /// <summary>
    /// Creates the three groups under <paramref name="root"/> and writes their properties. A property whose controller
    /// is not enabled there (the file is missing or not writable) is skipped and reported in <paramref name="skipped"/>.
    /// </summary>
    /// <exception cref="IOException">A group directory cannot be created.</exception>
    public static WorkloadCgroups Create(string root, long memoryTotalBytes, ICollection<string> skipped)
    {
        foreach (var group in Enum.GetValues<WorkloadCgroup>())
        {
            var directory = Path.Combine(root, DirectoryName(group));
            Directory.CreateDirectory(directory);
            foreach (var (file, value) in Properties(group, memoryTotalBytes))
            {
                if (!TryWrite(Path.Combine(directory, file), value))
                {
                    skipped.Add($"{DirectoryName(group)}/{file}");
                }
            }
        }

        return new WorkloadCgroups(root);
    }

    /// <summary>
    /// Upstream's weights and limits. The workload's memory cap leaves <c>min(total/8, 128 MiB)</c> to envd, so the
    /// kernel kills the workload before envd starves.
    /// </summary>
    public static IReadOnlyList<(string File, string Value)> Properties(WorkloadCgroup group, long memoryTotalBytes)
    {
        var limit = (memoryTotalBytes - Math.Min(memoryTotalBytes / 8, 128L * 1024 * 1024)).ToString(CultureInfo.InvariantCulture);
        return group switch
        {
            WorkloadCgroup.Pty => [("cpu.weight", "200"), ("io.weight", "default 50"), ("memory.high", limit), ("memory.max", limit)],
            WorkloadCgroup.Forwarder => [("cpu.weight", "150"), ("io.weight", "default 50"), ("memory.min", "5242880"), ("memory.low", "8388608")],
            _ => [("cpu.weight", "50"), ("io.weight", "default 10"), ("memory.high", limit), ("memory.max", limit)],
        };
    }

    /// <summary>Whether <paramref name="path"/> is on a cgroup2 filesystem (the statfs magic, as .NET reports it).</summary>
    public static bool IsCgroup2(string path)
    {
        try
        {
            return Directory.Exists(path) && new DriveInfo(path).DriveFormat == "cgroup2";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>MemTotal from <c>meminfo</c>, in bytes.</summary>
    /// <exception cref="FormatException">The file has no MemTotal line.</exception>
    public static long ReadMemoryTotal(string procRoot)
    {
        foreach (var line in File.ReadLines(Path.Combine(procRoot, "meminfo")))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is ["MemTotal:", var kib, ..] && long.TryParse(kib, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value * 1024;
            }
        }

        throw new FormatException("meminfo has no MemTotal");
    }

    /// <summary>Writes into an existing control file; cgroupfs answers ENOENT or EACCES for unavailable controllers.</summary>
    private static bool TryWrite(string file, string value)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Truncate, FileAccess.Write);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(value));
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }
}
