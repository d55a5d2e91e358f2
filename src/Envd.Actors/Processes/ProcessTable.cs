using System.Collections.Immutable;
using static Envd.Actors.Processes.ProcessProtocol;

namespace Envd.Actors.Processes;

/// <summary>One started process as the supervisor indexes it; <see cref="Running"/> turns false once it is reaped.</summary>
public sealed record ProcessEntry(long Id, uint Pid, string? Tag, ProcessConfig Config, bool Running);

/// <summary>
/// The processes that can be found by pid or tag: running ones, and exited ones whose end is still retained. Keyed by
/// id and indexed by pid, so each start, exit and retirement costs O(log n) however many ends the last 30 s retained.
/// </summary>
public sealed record ProcessTable(ImmutableDictionary<long, ProcessEntry> Entries, ImmutableDictionary<uint, long> IdsByPid)
{
    public static readonly ProcessTable Empty = new(ImmutableDictionary<long, ProcessEntry>.Empty, ImmutableDictionary<uint, long>.Empty);
}

public static class ProcessTableRules
{
    /// <summary>
    /// Adds a new process. An older entry with the same pid (the pid was reused) or an exited one with the same tag (a
    /// tagged restart) stops being findable, so a stale end is never served for the new process.
    /// </summary>
    public static ProcessTable Add(ProcessTable table, ProcessEntry entry)
    {
        var replaced = entry.Tag is null
            ? []
            : table.Entries.Values.Where(e => !e.Running && e.Tag == entry.Tag).Select(e => e.Id).ToList();
        if (table.IdsByPid.TryGetValue(entry.Pid, out var samePid))
        {
            replaced.Add(samePid);
        }

        var kept = Without(table, replaced);
        return new(kept.Entries.SetItem(entry.Id, entry), kept.IdsByPid.SetItem(entry.Pid, entry.Id));
    }

    public static ProcessTable MarkExited(ProcessTable table, long id) =>
        table.Entries.TryGetValue(id, out var entry) ? table with { Entries = table.Entries.SetItem(id, entry with { Running = false }) } : table;

    public static ProcessTable Remove(ProcessTable table, long id) => Without(table, [id]);

    /// <summary>By pid, or by tag preferring a running process and then the newest.</summary>
    public static ProcessEntry? Find(ProcessTable table, ProcessSelector selector, bool runningOnly)
    {
        if (selector.Pid is { } pid)
        {
            var found = table.IdsByPid.TryGetValue(pid, out var id) ? table.Entries[id] : null;
            return found is not null && (!runningOnly || found.Running) ? found : null;
        }

        return table.Entries.Values
            .Where(e => (!runningOnly || e.Running) && e.Tag == selector.Tag)
            .OrderByDescending(e => e.Running).ThenByDescending(e => e.Id).FirstOrDefault();
    }

    public static IReadOnlyList<ProcessInfo> Running(ProcessTable table) =>
        table.Entries.Values.Where(e => e.Running).OrderBy(e => e.Id).Select(e => new ProcessInfo(e.Pid, e.Tag, e.Config)).ToList();

    private static ProcessTable Without(ProcessTable table, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0)
        {
            return table;
        }

        var pids = ids
            .Where(table.Entries.ContainsKey)
            .Select(id => table.Entries[id].Pid)
            .Where(pid => table.IdsByPid.TryGetValue(pid, out var owner) && ids.Contains(owner));
        return new(table.Entries.RemoveRange(ids), table.IdsByPid.RemoveRange(pids));
    }
}
