using System.Collections.Immutable;
using static Envd.Actors.Processes.ProcessProtocol;

namespace Envd.Actors.Processes;

/// <summary>One started process as the supervisor indexes it; <see cref="Running"/> turns false once it is reaped.</summary>
public sealed record ProcessEntry(long Id, uint Pid, string? Tag, ProcessConfig Config, bool Running);

/// <summary>The processes that can be found by pid or tag: running ones, and exited ones whose end is still retained.</summary>
public sealed record ProcessTable(ImmutableList<ProcessEntry> Entries)
{
    public static readonly ProcessTable Empty = new(ImmutableList<ProcessEntry>.Empty);
}

public static class ProcessTableRules
{
    /// <summary>
    /// Adds a new process. An older entry with the same pid (the pid was reused) or an exited one with the same tag (a
    /// tagged restart) stops being findable, so a stale end is never served for the new process.
    /// </summary>
    public static ProcessTable Add(ProcessTable table, ProcessEntry entry) =>
        new(table.Entries
            .RemoveAll(e => e.Pid == entry.Pid || (!e.Running && entry.Tag is not null && e.Tag == entry.Tag))
            .Add(entry));

    public static ProcessTable MarkExited(ProcessTable table, long id) =>
        new(table.Entries.Select(e => e.Id == id ? e with { Running = false } : e).ToImmutableList());

    public static ProcessTable Remove(ProcessTable table, long id) => new(table.Entries.RemoveAll(e => e.Id == id));

    /// <summary>By pid, or by tag preferring a running process and then the newest.</summary>
    public static ProcessEntry? Find(ProcessTable table, ProcessSelector selector, bool runningOnly)
    {
        var candidates = table.Entries.Where(e => !runningOnly || e.Running);
        return selector.Pid is { } pid
            ? candidates.FirstOrDefault(e => e.Pid == pid)
            : candidates.Where(e => e.Tag == selector.Tag).OrderByDescending(e => e.Running).ThenByDescending(e => e.Id).FirstOrDefault();
    }

    public static IReadOnlyList<ProcessInfo> Running(ProcessTable table) =>
        table.Entries.Where(e => e.Running).Select(e => new ProcessInfo(e.Pid, e.Tag, e.Config)).ToList();
}
