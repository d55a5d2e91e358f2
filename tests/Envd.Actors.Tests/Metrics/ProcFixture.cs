namespace Envd.Actors.Tests.Metrics;

/// <summary>A fake /proc tree in a temp directory whose counters a test can move forward.</summary>
public sealed class ProcFixture : IDisposable
{
    public const ulong MemTotalKib = 4 * 1024 * 1024;
    public const ulong MemAvailableKib = 3 * 1024 * 1024 + 512;
    public const ulong CachedKib = 100_000;
    public const ulong SReclaimableKib = 20_000;

    public ProcFixture()
    {
        Root = Directory.CreateTempSubdirectory("envd-proc-").FullName;
        File.WriteAllText(Path.Combine(Root, "cpuinfo"), "processor\t: 0\nmodel name\t: test\n\nprocessor\t: 1\nmodel name\t: test\n\nprocessor\t: 2\n");
        WriteMemInfo();
        WriteCpu(busy: 250, idle: 750);
    }

    public string Root { get; }

    /// <summary>Writes an aggregate cpu line whose busy time is <paramref name="busy"/> and total <paramref name="busy"/>+<paramref name="idle"/>.</summary>
    public void WriteCpu(ulong busy, ulong idle) => Replace("stat", $"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\ncpu0 0 0 0 0\nintr 1\n");

    public void WriteMemInfo(ulong availableKib = MemAvailableKib) =>
        Replace(
            "meminfo",
            $"MemTotal: {MemTotalKib} kB\nMemFree: 1000 kB\nMemAvailable: {availableKib} kB\nCached: {CachedKib} kB\nSReclaimable: {SReclaimableKib} kB\n");

    public void RemoveMemInfo() => File.Delete(Path.Combine(Root, "meminfo"));

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Write and rename, so the sampler never reads a half-written file.</summary>
    private void Replace(string name, string text)
    {
        var temp = Path.Combine(Root, name + ".tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, Path.Combine(Root, name), overwrite: true);
    }
}

/// <summary>A clock the test sets by hand.</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
