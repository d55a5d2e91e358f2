using Akka.Actor;
using Envd.Actors.Freeze;
using Envd.Linux.Cgroups;
using static Envd.Actors.Freeze.FreezeProtocol;

namespace Envd.Actors.Tests.Freeze;

/// <summary>The freezer's bookkeeping over a plain directory tree standing in for cgroupfs (control files are files).</summary>
public sealed class WorkloadFreezerActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("envd-cgtree-").FullName;
    private readonly WorkloadCgroups _cgroups;

    public WorkloadFreezerActorTests()
    {
        _cgroups = WorkloadCgroups.Create(_root, 1L << 30, new List<string>());
        foreach (var cgroup in new[] { "user", "ptys", "socats", "guest", "user/inner" })
        {
            Directory.CreateDirectory(Path.Combine(_root, cgroup));
            File.WriteAllText(Path.Combine(_root, cgroup, "cgroup.freeze"), "0");
        }
    }

    [Fact]
    public void Legacy_freeze_freezes_user_and_ptys_only()
    {
        var freezer = Start();

        var report = Freeze(freezer, FreezeMode.Legacy);

        Assert.Equal("legacy", report.Mode);
        Assert.Equal(2, report.Requested);
        Assert.True(FreezeSet("user"));
        Assert.True(FreezeSet("ptys"));
        Assert.False(FreezeSet("guest"));
    }

    [Fact]
    public void Hierarchy_freeze_takes_everything_but_the_allowlist()
    {
        var freezer = Start();

        var report = Freeze(freezer, FreezeMode.Hierarchy);

        Assert.Equal(3, report.Requested);
        Assert.Equal(1, report.Allowlisted);
        Assert.True(FreezeSet("guest"));
        Assert.False(FreezeSet("socats"));
    }

    [Fact]
    public void Thaw_leaves_what_the_guest_froze_itself()
    {
        File.WriteAllText(Path.Combine(_root, "user", "inner", "cgroup.freeze"), "1");
        var freezer = Start();
        var report = Freeze(freezer, FreezeMode.Legacy);
        Assert.Equal(1, report.PreFrozen);

        freezer.Tell(new ThawWorkload(CancellationToken.None));
        var thaw = ExpectMsg<ThawResult>();

        Assert.Equal(2, thaw.Thawed);
        Assert.False(FreezeSet("user"));
        Assert.True(FreezeSet("user/inner"));
    }

    [Fact]
    public void A_second_freeze_does_not_mistake_the_first_for_the_guests()
    {
        var freezer = Start();
        Freeze(freezer, FreezeMode.Legacy);

        var again = Freeze(freezer, FreezeMode.Legacy);
        freezer.Tell(new ThawWorkload(CancellationToken.None));
        ExpectMsg<ThawResult>();

        Assert.Equal(0, again.PreFrozen);
        Assert.False(FreezeSet("user"));
    }

    [Fact]
    public void The_watchdog_thaws_when_no_thaw_follows()
    {
        var freezer = Start(watchdog: TimeSpan.FromMilliseconds(200));
        Freeze(freezer, FreezeMode.Legacy);

        AwaitCondition(() => !FreezeSet("user") && !FreezeSet("ptys"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_request_that_gave_up_while_queued_freezes_nothing()
    {
        var freezer = Start();

        freezer.Tell(new FreezeWorkload(FreezeMode.Legacy, 8192, null, new CancellationToken(canceled: true)));

        Assert.Null(ExpectMsg<FreezeResult>().Report);
        Assert.False(FreezeSet("user"));
    }

    [Fact]
    public void Waiting_for_a_confirmation_that_never_comes_counts_cgroups_as_not_frozen()
    {
        File.WriteAllText(Path.Combine(_root, "user", "cgroup.events"), "populated 1\nfrozen 0\n");
        File.WriteAllText(Path.Combine(_root, "ptys", "cgroup.events"), "populated 0\nfrozen 1\n");
        var freezer = Start();

        freezer.Tell(new FreezeWorkload(FreezeMode.Legacy, 8192, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        var report = ExpectMsg<FreezeResult>().Report!;

        Assert.Equal(1, report.Frozen);
        Assert.Equal(1, report.NotFrozen);
        Assert.InRange(report.WaitMs, 50, 5000);
    }

    [Fact]
    public void Without_cgroups_freeze_and_thaw_do_nothing_and_succeed()
    {
        var freezer = Sys.ActorOf(WorkloadFreezerActor.Props(WorkloadCgroups.None, null, TimeSpan.FromMinutes(10)));

        var report = Freeze(freezer, FreezeMode.Hierarchy);
        freezer.Tell(new ThawWorkload(CancellationToken.None));

        Assert.Equal(0, report.Requested);
        Assert.Empty(ExpectMsg<ThawResult>().Failures);
    }

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private IActorRef Start(TimeSpan? watchdog = null) =>
        Sys.ActorOf(WorkloadFreezerActor.Props(_cgroups, null, watchdog ?? TimeSpan.FromMinutes(10)));

    private FreezeReport Freeze(IActorRef freezer, FreezeMode mode)
    {
        freezer.Tell(new FreezeWorkload(mode, 8192, null, CancellationToken.None));
        return ExpectMsg<FreezeResult>().Report!;
    }

    private bool FreezeSet(string cgroup) => CgroupFreezer.IsFreezeSet(Path.Combine(_root, cgroup));
}
