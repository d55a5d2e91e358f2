using System.Collections.Immutable;
using Envd.Actors.Processes;
using static Envd.Actors.Processes.ProcessProtocol;

namespace Envd.Actors.Tests.Processes;

public sealed class ProcessTableTests
{
    private static readonly ProcessConfig Config = new("sleep", ["1"], ImmutableDictionary<string, string>.Empty, null);

    [Fact]
    public void A_reused_pid_never_finds_the_old_process()
    {
        var table = ProcessTableRules.Add(ProcessTable.Empty, new ProcessEntry(1, 100, null, Config, Running: true));
        table = ProcessTableRules.MarkExited(table, 1);

        table = ProcessTableRules.Add(table, new ProcessEntry(2, 100, null, Config, Running: true));

        Assert.Equal(2, ProcessTableRules.Find(table, ProcessSelector.ByPid(100), runningOnly: false)!.Id);
        Assert.Single(table.Entries);
    }

    [Fact]
    public void A_tag_finds_the_running_process_before_a_retained_one_and_the_newest_first()
    {
        var table = ProcessTableRules.Add(ProcessTable.Empty, new ProcessEntry(1, 100, "web", Config, Running: true));
        table = ProcessTableRules.Add(table, new ProcessEntry(2, 101, "web", Config, Running: true));
        table = ProcessTableRules.Add(table, new ProcessEntry(3, 102, "other", Config, Running: true));
        Assert.Equal(2, ProcessTableRules.Find(table, ProcessSelector.ByTag("web"), runningOnly: true)!.Id);

        table = ProcessTableRules.MarkExited(table, 2);

        Assert.Equal(1, ProcessTableRules.Find(table, ProcessSelector.ByTag("web"), runningOnly: false)!.Id);
        Assert.Null(ProcessTableRules.Find(table, ProcessSelector.ByTag("nope"), runningOnly: false));
    }

    [Fact]
    public void A_tagged_restart_forgets_the_retained_end_but_exited_processes_are_not_running()
    {
        var table = ProcessTableRules.Add(ProcessTable.Empty, new ProcessEntry(1, 100, "job", Config, Running: true));
        table = ProcessTableRules.MarkExited(table, 1);
        Assert.Null(ProcessTableRules.Find(table, ProcessSelector.ByPid(100), runningOnly: true));
        Assert.Empty(ProcessTableRules.Running(table));

        table = ProcessTableRules.Add(table, new ProcessEntry(2, 200, "job", Config, Running: true));

        Assert.Null(ProcessTableRules.Find(table, ProcessSelector.ByPid(100), runningOnly: false));
        Assert.Equal([new ProcessInfo(200, "job", Config)], ProcessTableRules.Running(table));
    }

    [Fact]
    public void Retired_processes_leave_nothing_behind_in_either_index()
    {
        var table = ProcessTable.Empty;
        for (var id = 1; id <= 1000; id++)
        {
            table = ProcessTableRules.Add(table, new ProcessEntry(id, (uint)(100 + id), id % 2 == 0 ? "job" : null, Config, Running: true));
            table = ProcessTableRules.MarkExited(table, id);
        }

        // The tagged restarts dropped all but the newest retained "job"; the untagged ends are all still there.
        Assert.Equal(501, table.Entries.Count);
        Assert.Equal(1000, ProcessTableRules.Find(table, ProcessSelector.ByTag("job"), runningOnly: false)!.Id);
        Assert.Null(ProcessTableRules.Find(table, ProcessSelector.ByPid(102), runningOnly: false));
        Assert.Equal(999, ProcessTableRules.Find(table, ProcessSelector.ByPid(1099), runningOnly: false)!.Id);

        for (var id = 1; id <= 1000; id++)
        {
            table = ProcessTableRules.Remove(table, id);
        }

        Assert.Empty(table.Entries);
        Assert.Empty(table.IdsByPid);
    }
}
