using Envd.Linux.Cgroups;
using Envd.Tests.Infrastructure;

namespace Envd.Linux.Tests.Cgroups;

public sealed class WorkloadCgroupsTests : IDisposable
{
    private const long GiB = 1024L * 1024 * 1024;
    private readonly string _temp = Directory.CreateTempSubdirectory("envd-cgroups-").FullName;

    [Fact]
    public void The_workload_memory_cap_leaves_an_eighth_of_memory_to_envd_up_to_128_MiB()
    {
        Assert.Contains(("memory.max", (4 * GiB - 128L * 1024 * 1024).ToString()), WorkloadCgroups.Properties(WorkloadCgroup.User, 4 * GiB));
        Assert.Contains(("memory.high", (448L * 1024 * 1024).ToString()), WorkloadCgroups.Properties(WorkloadCgroup.Pty, 512L * 1024 * 1024));
    }

    [Fact]
    public void Each_group_has_upstreams_weights()
    {
        Assert.Equal(
            [("cpu.weight", "50"), ("io.weight", "default 10")],
            WorkloadCgroups.Properties(WorkloadCgroup.User, GiB).Take(2));
        Assert.Equal(
            [("cpu.weight", "200"), ("io.weight", "default 50")],
            WorkloadCgroups.Properties(WorkloadCgroup.Pty, GiB).Take(2));
        Assert.Equal(
            [("cpu.weight", "150"), ("io.weight", "default 50"), ("memory.min", "5242880"), ("memory.low", "8388608")],
            WorkloadCgroups.Properties(WorkloadCgroup.Forwarder, GiB));
    }

    [Fact]
    public void Properties_without_a_control_file_are_skipped_and_never_created()
    {
        Directory.CreateDirectory(Path.Combine(_temp, "user"));
        File.WriteAllText(Path.Combine(_temp, "user", "cpu.weight"), "100");
        var skipped = new List<string>();

        var cgroups = WorkloadCgroups.Create(_temp, 2 * GiB, skipped);

        Assert.Equal("50", File.ReadAllText(Path.Combine(_temp, "user", "cpu.weight")));
        Assert.False(File.Exists(Path.Combine(_temp, "user", "memory.max")));
        Assert.Contains("user/memory.max", skipped);
        Assert.DoesNotContain("user/cpu.weight", skipped);
        Assert.Equal(Path.Combine(_temp, "ptys", "cgroup.procs"), cgroups.ProcsPath(WorkloadCgroup.Pty));
        Assert.Equal(Path.Combine(_temp, "socats"), cgroups.DirectoryOf(WorkloadCgroup.Forwarder));
    }

    [Fact]
    public void Without_cgroups_there_is_nowhere_to_place_processes()
    {
        Assert.Null(WorkloadCgroups.None.ProcsPath(WorkloadCgroup.User));
        Assert.Null(WorkloadCgroups.None.Root);
    }

    [Fact]
    public void MemTotal_is_read_in_bytes()
    {
        Directory.CreateDirectory(Path.Combine(_temp, "proc"));
        File.WriteAllText(Path.Combine(_temp, "proc", "meminfo"), "MemTotal:        2048000 kB\nMemFree:          100 kB\n");

        Assert.Equal(2048000L * 1024, WorkloadCgroups.ReadMemoryTotal(Path.Combine(_temp, "proc")));
    }

    [Fact]
    public void A_plain_directory_is_not_cgroup2()
    {
        Assert.False(WorkloadCgroups.IsCgroup2(_temp));
        Assert.False(WorkloadCgroups.IsCgroup2(Path.Combine(_temp, "missing")));
    }

    [SkippableFact]
    public void On_a_real_cgroup2_tree_the_groups_are_created_and_take_processes()
    {
        Skip.If(TestCgroup.Unavailable is not null, TestCgroup.Unavailable);
        using var tree = TestCgroup.Create();
        Assert.True(WorkloadCgroups.IsCgroup2(tree.Path));

        var cgroups = WorkloadCgroups.Create(tree.Path, WorkloadCgroups.ReadMemoryTotal("/proc"), new List<string>());
        using var sleeper = TestCgroup.StartSleeperIn(cgroups.DirectoryOf(WorkloadCgroup.User)!);

        foreach (var name in new[] { "user", "ptys", "socats" })
        {
            Assert.True(File.Exists(Path.Combine(tree.Path, name, "cgroup.procs")));
        }

        Assert.EndsWith("/user", File.ReadAllText($"/proc/{sleeper.Id}/cgroup").Trim());
        Assert.Contains(sleeper.Id.ToString(), File.ReadAllText(cgroups.ProcsPath(WorkloadCgroup.User)!));
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
