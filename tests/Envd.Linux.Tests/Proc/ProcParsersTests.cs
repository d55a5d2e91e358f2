using Envd.Linux.Proc;

namespace Envd.Linux.Tests.Proc;

public sealed class ProcParsersTests
{
    private const string Stat = """
        cpu  33795 7 6909 153591 278 3 68 88 120 5
        cpu0 16035 0 3348 77860 47 0 7 50 0 0
        cpu1 17760 0 3561 75731 230 0 60 37 0 0
        intr 1469577 0 9 0 0 0 0 0 0 0 0 0 0 0 0 0 0
        ctxt 2977417
        btime 1796414839
        processes 9640
        procs_running 2
        procs_blocked 0
        softirq 713617 0 108011 2 137286 0 0 1 188473 0 279844

        """;

    private const string CpuInfoText = """
        processor	: 0
        vendor_id	: AuthenticAMD
        model name	: AMD EPYC
        cpu cores	: 2
        power management:

        processor	: 1
        vendor_id	: AuthenticAMD
        model name	: AMD EPYC
        cpu cores	: 2
        power management:

        """;

    private const string MemInfoText = """
        MemTotal:       24683792 kB
        MemFree:        23455724 kB
        MemAvailable:   24163044 kB
        Buffers:           17552 kB
        Cached:           901424 kB
        SwapCached:            0 kB
        Active(anon):       1936 kB
        KReclaimable:      71044 kB
        Slab:              96752 kB
        SReclaimable:      71044 kB
        SUnreclaim:        25708 kB
        HugePages_Total:       0
        Hugepagesize:       2048 kB

        """;

    [Fact]
    public void Cpu_times_sum_the_first_eight_counters_and_count_idle_and_iowait_as_not_busy()
    {
        var times = ProcStat.ParseCpuTimes(Stat);

        const ulong total = 33795 + 7 + 6909 + 153591 + 278 + 3 + 68 + 88;
        Assert.Equal(total, times.Total);
        Assert.Equal(total - 153591 - 278, times.Busy);
    }

    [Fact]
    public void Cpu_times_accept_old_kernels_with_only_four_counters()
    {
        var times = ProcStat.ParseCpuTimes("cpu 10 20 30 40\ncpu0 10 20 30 40\n");

        Assert.Equal(new CpuTimes(60, 100), times);
    }

    [Theory]
    [InlineData("cpu0 1 2 3 4\nintr 5\n")]
    [InlineData("cpu  1 2 3\n")]
    [InlineData("cpu  1 2 x 4 5\n")]
    [InlineData("")]
    public void Cpu_times_reject_text_without_a_usable_aggregate_line(string text)
    {
        Assert.Throws<FormatException>(() => ProcStat.ParseCpuTimes(text));
    }

    [Fact]
    public void Cpu_lines_count_only_numbered_cpus()
    {
        Assert.Equal(2, ProcStat.CountCpuLines(Stat));
    }

    [Fact]
    public void Processors_are_counted_from_numbered_processor_lines()
    {
        Assert.Equal(2, CpuInfo.CountProcessors(CpuInfoText));
        Assert.Equal(1, CpuInfo.CountProcessors("Processor : 0\nprocessor : ARMv7 Processor rev 4 (v7l)\n"));
        Assert.Equal(0, CpuInfo.CountProcessors("vendor_id : x\n"));
    }

    [Fact]
    public void Meminfo_values_are_converted_from_kibibytes_to_bytes()
    {
        var memory = MemInfo.Parse(MemInfoText);

        Assert.Equal(24683792UL * 1024, memory.Total);
        Assert.Equal(24163044UL * 1024, memory.Available);
        Assert.Equal((24683792UL - 24163044UL) * 1024, memory.Used);
        Assert.Equal((901424UL + 71044UL) * 1024, memory.Cache);
    }

    [Fact]
    public void Meminfo_without_MemAvailable_estimates_it_from_free_memory_and_page_cache()
    {
        var memory = MemInfo.Parse("MemTotal: 1000 kB\nMemFree: 300 kB\nCached: 200 kB\n");

        Assert.Equal(500UL * 1024, memory.Available);
        Assert.Equal(500UL * 1024, memory.Used);
        Assert.Equal(200UL * 1024, memory.Cache);
    }

    [Theory]
    [InlineData("MemFree: 300 kB\n")]
    [InlineData("MemTotal: lots kB\n")]
    public void Meminfo_without_a_readable_total_is_rejected(string text)
    {
        Assert.Throws<FormatException>(() => MemInfo.Parse(text));
    }

    [Fact]
    public void Host_counters_read_a_fixture_proc_tree()
    {
        var root = Directory.CreateTempSubdirectory("envd-proc-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "stat"), Stat);
            File.WriteAllText(Path.Combine(root, "cpuinfo"), CpuInfoText.Replace("processor\t: 1", "processor\t: 1\n\nprocessor\t: 2"));
            File.WriteAllText(Path.Combine(root, "meminfo"), MemInfoText);

            var reading = new HostCounters(root, root).Read();

            Assert.Equal(3, reading.CpuCount);
            Assert.Equal(ProcStat.ParseCpuTimes(Stat), reading.Cpu);
            Assert.Equal(24683792UL * 1024, reading.Memory.Total);
            Assert.True(reading.Disk.Total > 0);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Host_counters_fall_back_to_cpu_lines_when_cpuinfo_is_missing_and_fail_without_meminfo()
    {
        var root = Directory.CreateTempSubdirectory("envd-proc-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "stat"), Stat);
            Assert.Throws<FileNotFoundException>(() => new HostCounters(root, root).Read());

            File.WriteAllText(Path.Combine(root, "meminfo"), MemInfoText);
            Assert.Equal(2, new HostCounters(root, root).Read().CpuCount);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Host_counters_read_the_real_proc_tree()
    {
        var reading = new HostCounters("/proc", "/").Read();

        Assert.True(reading.CpuCount >= 1);
        Assert.True(reading.Cpu.Total > reading.Cpu.Busy);
        Assert.True(reading.Memory.Total > reading.Memory.Used);
    }
}
