namespace EnvdBench;

/// <summary>What to measure and where things are. <c>--quick</c> shrinks every scenario to smoke-test the harness.</summary>
internal sealed record Options(
    string Envd,
    string RawKestrel,
    string Nginx,
    string BenchDir,
    string Results,
    string Source,
    string? WorkRoot,
    bool Quick,
    int Rounds,
    bool ProcessOnly = false,
    IReadOnlyList<string>? Baselines = null)
{
    public const string Usage =
        "usage: envd-bench --envd PATH --raw-kestrel PATH --bench-dir DIR --results FILE [--nginx PATH] [--source TEXT] [--work DIR] [--rounds N] [--quick]\n"
        + "       envd-bench --process-only --envd PATH [--baseline PATH]... --bench-dir DIR [--rounds N] [--quick]";

    private const long MiB = 1024 * 1024;

    /// <summary>The whole run stops by itself after this, whatever hangs.</summary>
    public TimeSpan Deadline => TimeSpan.FromMinutes(25);

    public TimeSpan LoadDuration => TimeSpan.FromSeconds(Quick ? 3 : 15);

    /// <summary>Unmeasured load before the first round, so JIT tiering and pools settle as they would in a long-lived daemon.</summary>
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Quick ? 1 : 3);

    /// <summary>Server logs of the last run (the data directory is deleted, these stay).</summary>
    public string LogDir => Path.Combine(BenchDir, "out", "logs");

    public int Connections => 64;

    public long SmallRequest => MiB;

    public int ConcurrentBigUploads => 8;

    public long BigUpload => Quick ? 16 * MiB : 256 * MiB;

    public long HugeFile => Quick ? 64 * MiB : 1024 * MiB;

    /// <summary>A single upload well below the huge one: peak RSS of both shows whether memory is flat in file size.</summary>
    public long MediumFile => Quick ? 16 * MiB : 64 * MiB;

    public int StartupRuns => Quick ? 3 : 20;

    public int ProcessRuns => Quick ? 50 : 1000;

    public static Options? Parse(IReadOnlyList<string> args)
    {
        string? envd = null, raw = null, benchDir = null, results = null, work = null;
        string nginx = "/usr/sbin/nginx", source = "unknown";
        var quick = false;
        var processOnly = false;
        var baselines = new List<string>();
        int? rounds = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--envd": envd = Path.GetFullPath(Value()); break;
                case "--raw-kestrel": raw = Path.GetFullPath(Value()); break;
                case "--nginx": nginx = Value(); break;
                case "--bench-dir": benchDir = Path.GetFullPath(Value()); break;
                case "--results": results = Path.GetFullPath(Value()); break;
                case "--source": source = Value(); break;
                case "--work": work = Path.GetFullPath(Value()); break;
                case "--quick": quick = true; break;
                case "--rounds": rounds = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--process-only": processOnly = true; break;
                case "--baseline": baselines.Add(Path.GetFullPath(Value())); break;
                default: return null;
            }
        }

        if (processOnly)
        {
            return envd is null || benchDir is null
                ? null
                : new Options(envd, raw ?? "", nginx, benchDir, results ?? "", source, work, quick, Math.Clamp(rounds ?? 3, 1, 10), true, baselines);
        }

        return envd is null || raw is null || benchDir is null || results is null
            ? null
            : new Options(envd, raw, nginx, benchDir, results, source, work, quick, Math.Clamp(rounds ?? (quick ? 1 : 2), 1, 5));
    }
}
