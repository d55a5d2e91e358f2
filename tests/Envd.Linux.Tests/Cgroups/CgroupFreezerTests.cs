using Envd.Linux.Cgroups;
using Envd.Tests.Infrastructure;

namespace Envd.Linux.Tests.Cgroups;

/// <summary>Sweeps run on a directory tree shaped like a VM's cgroup2 root; the freeze itself on a real test cgroup.</summary>
public sealed class CgroupFreezerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("envd-cgtree-").FullName;

    public CgroupFreezerTests()
    {
        foreach (var cgroup in new[]
                 {
                     "user", "ptys", "socats", "init.scope", "guest", "guest/inner", "system.slice",
                     "system.slice/envd.service", "system.slice/envd.service/child", "system.slice/cron.service",
                     "system.slice/systemd-journald.service",
                 })
        {
            Directory.CreateDirectory(Path.Combine(_root, cgroup));
            File.WriteAllText(Path.Combine(_root, cgroup, "cgroup.freeze"), "0");
        }

        File.WriteAllText(Path.Combine(_root, "guest", "inner", "cgroup.freeze"), "1");
    }

    [Fact]
    public void Hierarchy_sweep_freezes_whole_subtrees_but_never_envd_its_ancestors_or_the_allowlist()
    {
        var sweep = CgroupFreezer.SweepHierarchy(_root, Cg("system.slice/envd.service"), CgroupFreezer.HierarchyAllowlist, 8192);

        Assert.Equal([Cg("guest"), Cg("ptys"), Cg("system.slice/cron.service"), Cg("user")], sweep.Targets);
        Assert.Equal([Cg("guest/inner")], sweep.GuestFrozen);
        Assert.Equal(3, sweep.Allowlisted);
        Assert.Equal(10, sweep.Visited);
        Assert.False(sweep.Truncated);
    }

    [Fact]
    public void Hierarchy_sweep_stops_at_the_cap_and_says_so()
    {
        var sweep = CgroupFreezer.SweepHierarchy(_root, null, CgroupFreezer.HierarchyAllowlist, 2);

        Assert.True(sweep.Truncated);
        Assert.Equal(2, sweep.Visited);
    }

    [Fact]
    public void Legacy_sweep_takes_only_the_given_groups()
    {
        File.WriteAllText(Path.Combine(_root, "ptys", "cgroup.freeze"), "1");

        var sweep = CgroupFreezer.SweepGroups([Cg("user"), Cg("ptys"), Cg("missing")], 8192);

        Assert.Equal([Cg("user")], sweep.Targets);
        Assert.Equal([Cg("ptys")], sweep.GuestFrozen);
    }

    [Fact]
    public void Thaw_clears_every_freeze_below_the_root_except_the_kept_ones()
    {
        foreach (var cgroup in new[] { "user", "guest", "system.slice/cron.service" })
        {
            CgroupFreezer.SetFreeze(Cg(cgroup), true);
        }

        var sweep = CgroupFreezer.Thaw(_root, new HashSet<string> { Cg("guest/inner") }, 8192);

        Assert.Equal(3, sweep.Thawed);
        Assert.Empty(sweep.Failures);
        Assert.False(CgroupFreezer.IsFreezeSet(Cg("user")));
        Assert.False(CgroupFreezer.IsFreezeSet(Cg("guest")));
        Assert.True(CgroupFreezer.IsFreezeSet(Cg("guest/inner")));
    }

    [Fact]
    public void Own_cgroup_is_resolved_against_the_cgroup_mount()
    {
        var proc = Path.Combine(_root, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "self"));
        File.WriteAllText(Path.Combine(proc, "self", "cgroup"), "4:memory:/x\n0::/system.slice/envd.service\n");

        Assert.Equal(Cg("system.slice/envd.service"), CgroupFreezer.OwnCgroup(proc, _root));
    }

    [SkippableFact]
    public async Task A_real_cgroup_reads_frozen_once_frozen_and_runs_again_after_thaw()
    {
        Skip.If(TestCgroup.Unavailable is not null, TestCgroup.Unavailable);
        using var tree = TestCgroup.Create();
        var workload = Path.Combine(tree.Path, "user");
        Directory.CreateDirectory(workload);
        using var sleeper = TestCgroup.StartSleeperIn(workload);

        CgroupFreezer.SetFreeze(workload, true);
        await WaitFor(() => CgroupFreezer.IsFrozen(workload) == true);
        Assert.True(CgroupFreezer.IsFreezeSet(workload));

        var sweep = CgroupFreezer.Thaw(tree.Path, new HashSet<string>(), 8192);

        Assert.Equal(1, sweep.Thawed);
        await WaitFor(() => CgroupFreezer.IsFrozen(workload) == false);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Cg(string relative) => Path.Combine(_root, relative);

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 s");
            await Task.Delay(5);
        }
    }
}
