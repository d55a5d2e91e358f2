using Envd.Linux.Snapshots;

namespace Envd.Linux.Tests.Snapshots;

public sealed class HeapCollapserTests
{
    private const string Smaps = """
        55d4c8a00000-55d4c8e00000 rw-p 00000000 00:00 0                          [heap]
        Size:               4096 kB
        AnonHugePages:      2048 kB
        VmFlags: rd wr mr mw me ac sd
        7f0000000000-7f0000600000 rw-p 00000000 00:00 0 
        Size:               6144 kB
        AnonHugePages:         0 kB
        7f1000000000-7f1000400000 r-xp 00000000 fd:01 1234                       /usr/lib/libc.so.6
        AnonHugePages:         0 kB
        7f2000000000-7f2000400000 rw-p 00001000 fd:01 1234                       /usr/lib/libc.so.6
        7ffd00000000-7ffd00400000 rw-p 00000000 00:00 0                          [stack]
        """;

    [Fact]
    public void Only_anonymous_private_read_write_mappings_are_candidates()
    {
        var mappings = HeapCollapser.AnonymousMappings(Smaps);

        Assert.Equal(
            [new HeapCollapser.AnonymousMapping(0x55d4c8a00000, 0x55d4c8e00000, 2048 * 1024), new HeapCollapser.AnonymousMapping(0x7f0000000000, 0x7f0000600000, 0)],
            mappings);
    }

    [Fact]
    public void Collapsing_envds_own_memory_accounts_for_every_chunk()
    {
        // Touch a few MiB so there is anonymous memory worth collapsing.
        var ballast = new byte[16 * 1024 * 1024];
        Random.Shared.NextBytes(ballast);

        var report = HeapCollapser.Collapse("/proc");

        Assert.True(report.Regions > 0);
        Assert.Equal(report.Chunks, report.Collapsed + report.Skipped);
        Assert.True(report.Collapsed > 0);
        GC.KeepAlive(ballast);
    }
}
