namespace Envd.Linux.Cgroups;

/// <summary>
/// What a freeze sweep decided: the cgroups to freeze, the ones the guest had frozen itself (left frozen on thaw), and
/// how much of the tree was looked at.
/// </summary>
public sealed record FreezeSweep(
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> GuestFrozen,
    int Visited,
    int Allowlisted,
    bool Truncated);

/// <summary>What a thaw walk did.</summary>
public sealed record ThawSweep(int Visited, int Thawed, IReadOnlyList<string> Failures, bool Truncated);

/// <summary>
/// Freezes and thaws cgroup2 subtrees through <c>cgroup.freeze</c>. Freezing a cgroup freezes everything below it, so
/// a sweep only picks subtrees that hold neither envd itself nor an allowlisted cgroup.
/// </summary>
public static class CgroupFreezer
{
    /// <summary>Never frozen in hierarchy mode: init, the journal, NFS helpers and port forwarders (relative to the root).</summary>
    public static readonly IReadOnlyList<string> HierarchyAllowlist =
    [
        "init.scope",
        "system.slice/systemd-journald.service",
        "system.slice/rpcbind.service",
        "system.slice/rpcbind.socket",
        "system.slice/rpc-statd.service",
        "socats",
    ];

    /// <summary>Legacy mode: exactly the given groups (those that exist), plus what the guest froze inside them.</summary>
    public static FreezeSweep SweepGroups(IEnumerable<string> groups, int maxCgroups)
    {
        var walk = new Walk(maxCgroups);
        foreach (var group in groups.Where(Directory.Exists))
        {
            if (!walk.Visit())
            {
                break;
            }

            walk.Choose(group);
        }

        return walk.Result(allowlisted: 0);
    }

    /// <summary>
    /// Hierarchy mode: every cgroup under <paramref name="root"/> except envd's own (and the chain above it) and the
    /// allowlist; whole subtrees are frozen at the highest cgroup that contains neither.
    /// </summary>
    public static FreezeSweep SweepHierarchy(string root, string? ownCgroup, IReadOnlyCollection<string> allowlist, int maxCgroups)
    {
        var walk = new Walk(maxCgroups);
        var allowlisted = 0;
        var own = ownCgroup is null ? null : Path.TrimEndingDirectorySeparator(ownCgroup);
        Descend(root);
        return walk.Result(allowlisted);

        void Descend(string directory)
        {
            foreach (var child in Children(directory))
            {
                if (!walk.Visit())
                {
                    return;
                }

                var relative = Path.GetRelativePath(root, child);
                if (allowlist.Contains(relative))
                {
                    allowlisted++;
                }
                else if (child == own)
                {
                    // envd's own cgroup: never frozen, and neither is anything it started there.
                }
                else if ((own is not null && own.StartsWith(child + "/", StringComparison.Ordinal))
                         || allowlist.Any(a => a.StartsWith(relative + "/", StringComparison.Ordinal)))
                {
                    Descend(child);
                }
                else
                {
                    walk.Choose(child);
                }
            }
        }
    }

    /// <summary>
    /// Thaws every cgroup below <paramref name="root"/> whose <c>cgroup.freeze</c> is set, except
    /// <paramref name="keepFrozen"/>.
    /// </summary>
    public static ThawSweep Thaw(string root, IReadOnlySet<string> keepFrozen, int maxCgroups)
    {
        var visited = 0;
        var thawed = 0;
        var truncated = false;
        var failures = new List<string>();
        var pending = new Stack<string>(Children(root).Reverse());
        while (pending.TryPop(out var cgroup))
        {
            if (++visited > maxCgroups)
            {
                truncated = true;
                visited--;
                break;
            }

            if (IsFreezeSet(cgroup) && !keepFrozen.Contains(cgroup))
            {
                try
                {
                    SetFreeze(cgroup, false);
                    thawed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failures.Add($"{cgroup}: {e.Message}");
                }
            }

            foreach (var child in Children(cgroup).Reverse())
            {
                pending.Push(child);
            }
        }

        return new ThawSweep(visited, thawed, failures, truncated);
    }

    /// <summary>Whether the cgroup itself asks to be frozen (its own <c>cgroup.freeze</c>, not an ancestor's).</summary>
    public static bool IsFreezeSet(string cgroup)
    {
        try
        {
            return File.ReadAllText(Path.Combine(cgroup, "cgroup.freeze")).Trim() == "1";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <exception cref="IOException">The kernel refused the write, or the cgroup is gone.</exception>
    public static void SetFreeze(string cgroup, bool frozen)
    {
        using var control = new FileStream(Path.Combine(cgroup, "cgroup.freeze"), FileMode.Truncate, FileAccess.Write);
        control.Write(frozen ? "1"u8 : "0"u8);
    }

    /// <summary>The kernel's view (<c>frozen</c> in <c>cgroup.events</c>): true once every task is stopped; null if unreadable.</summary>
    public static bool? IsFrozen(string cgroup)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(cgroup, "cgroup.events")))
            {
                if (line.StartsWith("frozen ", StringComparison.Ordinal))
                {
                    return line.AsSpan(7).Trim().SequenceEqual("1");
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The cgroup directory envd runs in, from <c>/proc/self/cgroup</c> resolved against the mount holding
    /// <paramref name="cgroupRoot"/>; null when it cannot be told.
    /// </summary>
    public static string? OwnCgroup(string procRoot, string cgroupRoot)
    {
        string? relative;
        try
        {
            relative = File.ReadLines(Path.Combine(procRoot, "self", "cgroup"))
                .FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (relative is null)
        {
            return null;
        }

        var mount = Path.GetFullPath(cgroupRoot);
        while (Path.GetDirectoryName(mount) is { } parent && WorkloadCgroups.IsCgroup2(parent))
        {
            mount = parent;
        }

        return Path.TrimEndingDirectorySeparator(Path.Join(mount, relative));
    }

    private static IEnumerable<string> Children(string cgroup)
    {
        try
        {
            return Directory.GetDirectories(cgroup).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Counts visits against the cap and sorts chosen subtrees into targets and guest-frozen cgroups.</summary>
    private sealed class Walk(int maxCgroups)
    {
        private readonly List<string> _targets = [];
        private readonly List<string> _guestFrozen = [];
        private int _visited;
        private bool _truncated;

        public bool Visit()
        {
            if (_visited >= maxCgroups)
            {
                _truncated = true;
                return false;
            }

            _visited++;
            return true;
        }

        /// <summary>Freeze this subtree; note anything in it the guest had already frozen.</summary>
        public void Choose(string cgroup)
        {
            if (IsFreezeSet(cgroup))
            {
                _guestFrozen.Add(cgroup);
            }
            else
            {
                _targets.Add(cgroup);
            }

            foreach (var child in Children(cgroup))
            {
                if (!Visit())
                {
                    return;
                }

                RecordGuestFrozen(child);
            }
        }

        public FreezeSweep Result(int allowlisted) => new(_targets, _guestFrozen, _visited, allowlisted, _truncated);

        private void RecordGuestFrozen(string cgroup)
        {
            if (IsFreezeSet(cgroup))
            {
                _guestFrozen.Add(cgroup);
            }

            foreach (var child in Children(cgroup))
            {
                if (!Visit())
                {
                    return;
                }

                RecordGuestFrozen(child);
            }
        }
    }
}
