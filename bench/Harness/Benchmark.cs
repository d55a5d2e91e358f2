using System.Diagnostics;
using System.Net.Http.Headers;

namespace EnvdBench;

/// <summary>The scenarios of issue 7, in the order they run.</summary>
internal static class Scenario
{
    public const string SmallUploads = "1";
    public const string BigUploads = "2";
    public const string SmallDownloads = "3";
    public const string HugeUpload = "4-up";
    public const string HugeDownload = "4-down";
    public const string MediumUpload = "4-mem";

    public static readonly ServerKind[] Servers = [ServerKind.Envd, ServerKind.RawKestrel, ServerKind.Nginx];
}

/// <summary>One server through one load phase: what moved, what it cost the server, and what the client burned.</summary>
internal sealed record Sample(string Scenario, ServerKind Server, int Round, LoadResult Load, double ServerCpuSeconds, long PeakRssKb, double ClientCpuSeconds)
{
    public double MiBps => Load.Bytes / 1048576.0 / Load.Seconds;

    public double RequestsPerSecond => Load.Requests / Load.Seconds;

    public double CpuSecondsPerGiB => Load.Bytes > 0 ? ServerCpuSeconds / (Load.Bytes / 1073741824.0) : double.NaN;
}

internal sealed class RunResult
{
    public required MachineInfo Machine { get; init; }

    public required MachineLimits Limits { get; init; }

    public DateTime Started { get; init; } = DateTime.UtcNow;

    public TimeSpan Took { get; set; }

    public string LoadAfter { get; set; } = "";

    public List<Sample> Samples { get; } = [];

    public Dictionary<ServerKind, string> FileApiProblems { get; } = [];

    public Dictionary<ServerKind, long> IdleAfterStartKb { get; } = [];

    public Dictionary<ServerKind, long> IdleAfterLoadKb { get; } = [];

    /// <summary>Paced probes during scenario 1, keyed by server and URL path (scenario 8).</summary>
    public Dictionary<(ServerKind Server, string Path), LoadResult> Probes { get; } = [];

    public Dictionary<ServerKind, List<double>> StartupMs { get; } = [];

    public LoadResult? ProcessRoundTrip { get; set; }

    public LoadResult? SpawnFloor { get; set; }
}

internal static class Benchmark
{
    // wrk holds one prebuilt request per target (256 MiB); a lagging upload may share its file with a later one, as SDK users may.
    private const int UploadTargets = 256;
    private const int DownloadFiles = 64;

    public static async Task<RunResult> RunAsync(Options options, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        Log("describing the machine");
        var machine = await MachineInfo.DescribeAsync(options, cancel);
        using var workspace = Workspace.Create(options.WorkRoot, options.LogDir);
        Log($"workspace {workspace.Root}; measuring disk and loopback limits");
        var result = new RunResult { Machine = machine, Limits = await MachineLimits.MeasureAsync(workspace, cancel) };

        Log("writing test files");
        for (var i = 0; i < DownloadFiles; i++)
        {
            Workspace.WriteRandomFile(Path.Combine(workspace.Downloads, $"f{i}.bin"), options.SmallRequest, seed: i);
        }

        var big = Path.Combine(workspace.Sources, "big.bin");
        var huge = Path.Combine(workspace.Sources, "huge.bin");
        var medium = Path.Combine(workspace.Sources, "medium.bin");
        Workspace.WriteRandomFile(big, options.BigUpload, seed: 1001);
        Workspace.WriteRandomFile(huge, options.HugeFile, seed: 1002);
        Workspace.WriteRandomFile(medium, options.MediumFile, seed: 1003);

        var servers = new List<Server>();
        try
        {
            foreach (var kind in Scenario.Servers)
            {
                servers.Add(await Server.StartAsync(kind, options, workspace, attempt: 0, cancel));
            }

            await Task.Delay(TimeSpan.FromSeconds(3), cancel);
            foreach (var server in servers)
            {
                result.IdleAfterStartKb[server.Kind] = server.RssKb;
                if (await PreflightAsync(server, workspace, cancel) is { } problem)
                {
                    result.FileApiProblems[server.Kind] = problem;
                    Log($"{server.Name}: file routes do not work ({problem}); its file scenarios are skipped");
                }
            }

            var ready = servers.Where(s => !result.FileApiProblems.ContainsKey(s.Kind)).ToList();
            foreach (var server in ready)
            {
                await WarmUpAsync(options, workspace, server, cancel);
            }

            for (var round = 1; round <= options.Rounds; round++)
            {
                await RunFileScenariosAsync(options, workspace, ready, result, round, big, huge, medium, cancel);
            }

            var envd = servers.Single(s => s.Kind == ServerKind.Envd);
            Log("scenario 7: process round trips");
            result.ProcessRoundTrip = await ProcessRoundTrip.RunAsync(envd.Port, options.ProcessRuns, TimeSpan.FromMinutes(3), cancel);
            result.SpawnFloor = SpawnFloor.Run(options.ProcessRuns, TimeSpan.FromMinutes(1));

            Log("scenario 6: idle memory after the load");
            await Task.Delay(TimeSpan.FromSeconds(5), cancel);
            foreach (var server in servers)
            {
                result.IdleAfterLoadKb[server.Kind] = server.RssKb;
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        Log($"scenario 5: start-up, {options.StartupRuns} runs per server");
        for (var run = 1; run <= options.StartupRuns; run++)
        {
            foreach (var kind in Scenario.Servers)
            {
                await using var server = await Server.StartAsync(kind, options, workspace, run, cancel);
                (result.StartupMs.TryGetValue(kind, out var list) ? list : result.StartupMs[kind] = []).Add(server.StartupMs);
            }
        }

        result.LoadAfter = MachineInfo.LoadAverage();
        result.Took = clock.Elapsed;
        return result;
    }

    private static async Task RunFileScenariosAsync(
        Options options, Workspace workspace, List<Server> servers, RunResult result, int round, string big, string huge, string medium, CancellationToken cancel)
    {
        Log($"round {round} of {options.Rounds}");
        var size = options.SmallRequest.ToString();
        var phase = round - 1;
        foreach (var server in Rotated(servers, phase++))
        {
            Log($"scenario 1 + 8: {options.Connections} concurrent 1 MiB uploads to {server.Name}");
            var prefix = Path.Combine(workspace.FreshUploads(server.Name), "f");
            using var stopProbes = new CancellationTokenSource();
            var probes = new List<(string Path, Task<LoadResult> Run)> { ("/health", Probe(server, "/health", stopProbes.Token)) };
            if (server.Kind == ServerKind.Envd)
            {
                probes.Add(("/metrics", Probe(server, "/metrics", stopProbes.Token)));
            }

            string[] args = [server.SpeaksEnvdApi ? "post" : "put", server.UploadPrefix(workspace, prefix), UploadTargets.ToString(), size];
            result.Samples.Add(await MeasureAsync(Scenario.SmallUploads, server, round, () =>
                Wrk.RunAsync(options, server.Port, "upload.lua", args, options.LoadDuration, options.SmallRequest, cancel)));
            await stopProbes.CancelAsync();
            foreach (var (path, run) in probes)
            {
                // The worst round is kept: a latency target has to hold in every round.
                var probe = await run;
                if (!result.Probes.TryGetValue((server.Kind, path), out var kept) || !(kept.Latency.P99 >= probe.Latency.P99))
                {
                    result.Probes[(server.Kind, path)] = probe;
                }
            }
        }

        foreach (var server in Rotated(servers, phase++))
        {
            Log($"scenario 2: {options.ConcurrentBigUploads} concurrent {options.BigUpload >> 20} MiB uploads to {server.Name}");
            var dir = workspace.FreshUploads(server.Name);
            var transfers = Enumerable.Range(0, options.ConcurrentBigUploads)
                .Select(i => Curl.Upload(server, workspace, big, Path.Combine(dir, $"b{i}.bin"))).ToList();
            result.Samples.Add(await MeasureAsync(Scenario.BigUploads, server, round, () =>
                Curl.RunAsync(transfers, options.BigUpload, TimeSpan.FromMinutes(5), cancel)));
        }

        foreach (var server in Rotated(servers, phase++))
        {
            Log($"scenario 3: {options.Connections} concurrent 1 MiB downloads from {server.Name}");
            workspace.FreshUploads(server.Name);
            string[] args = [server.DownloadPrefix(workspace, Path.Combine(workspace.Downloads, "f")), DownloadFiles.ToString()];
            result.Samples.Add(await MeasureAsync(Scenario.SmallDownloads, server, round, () =>
                Wrk.RunAsync(options, server.Port, "download.lua", args, options.LoadDuration, options.SmallRequest, cancel)));
        }

        foreach (var server in Rotated(servers, phase++))
        {
            Log($"scenario 4: one {options.HugeFile >> 20} MiB upload and download, one {options.MediumFile >> 20} MiB upload, {server.Name}");
            var dir = workspace.FreshUploads(server.Name);
            result.Samples.Add(await MeasureAsync(Scenario.HugeUpload, server, round, () =>
                Curl.RunAsync([Curl.Upload(server, workspace, huge, Path.Combine(dir, "huge.bin"))], options.HugeFile, TimeSpan.FromMinutes(5), cancel)));
            result.Samples.Add(await MeasureAsync(Scenario.HugeDownload, server, round, () =>
                Curl.RunAsync([Curl.Download(server, workspace, huge)], options.HugeFile, TimeSpan.FromMinutes(5), cancel)));
            result.Samples.Add(await MeasureAsync(Scenario.MediumUpload, server, round, () =>
                Curl.RunAsync([Curl.Upload(server, workspace, medium, Path.Combine(dir, "medium.bin"))], options.MediumFile, TimeSpan.FromMinutes(2), cancel)));
            workspace.FreshUploads(server.Name);
        }
    }

    private static async Task WarmUpAsync(Options options, Workspace workspace, Server server, CancellationToken cancel)
    {
        Log($"warming up {server.Name}");
        var prefix = Path.Combine(workspace.FreshUploads(server.Name), "w");
        await Wrk.RunAsync(options, server.Port, "upload.lua",
            [server.SpeaksEnvdApi ? "post" : "put", server.UploadPrefix(workspace, prefix), "64", options.SmallRequest.ToString()],
            options.WarmUp, options.SmallRequest, cancel);
        await Wrk.RunAsync(options, server.Port, "download.lua",
            [server.DownloadPrefix(workspace, Path.Combine(workspace.Downloads, "f")), DownloadFiles.ToString()],
            options.WarmUp, options.SmallRequest, cancel);
        workspace.FreshUploads(server.Name);
    }

    private static Task<LoadResult> Probe(Server server, string path, CancellationToken stop) =>
        PacedProbe.RunAsync($"http://127.0.0.1:{server.Port}{path}", TimeSpan.FromMilliseconds(20), stop);

    /// <summary>Each scenario starts with a different server, so no server always runs on the warmest (or noisiest) slot.</summary>
    private static IEnumerable<Server> Rotated(List<Server> servers, int by) =>
        servers.Skip(by % Math.Max(1, servers.Count)).Concat(servers.Take(by % Math.Max(1, servers.Count)));

    /// <summary>Flushes the previous phase's writes, resets the peak, and brackets the load with /proc readings.</summary>
    private static async Task<Sample> MeasureAsync(string scenario, Server server, int round, Func<Task<LoadResult>> load)
    {
        await Child.RunAsync("sync", [], TimeSpan.FromSeconds(120), CancellationToken.None);
        server.ResetPeak();
        var serverCpu = server.CpuSeconds;
        var clientCpu = Native.ReapedChildrenCpuSeconds();
        var result = await load();
        var sample = new Sample(scenario, server.Kind, round, result, server.CpuSeconds - serverCpu, server.PeakRssKb, Native.ReapedChildrenCpuSeconds() - clientCpu);
        Log($"  {server.Name}: {sample.MiBps:F1} MiB/s, {sample.RequestsPerSecond:F1} req/s, p50 {result.Latency.P50:F1} ms, p99 {result.Latency.P99:F1} ms, "
            + $"errors {result.Errors}, {sample.CpuSecondsPerGiB:F2} CPU-s/GiB, peak {sample.PeakRssKb / 1024} MiB{(result.Detail is null ? "" : $" ({result.Detail})")}");
        return sample;
    }

    /// <summary>One small upload and its download, byte for byte; the reason it failed, or null.</summary>
    private static async Task<string?> PreflightAsync(Server server, Workspace workspace, CancellationToken cancel)
    {
        var target = Path.Combine(workspace.FreshUploads(server.Name), "preflight.bin");
        var payload = new byte[64 * 1024];
        Random.Shared.NextBytes(payload);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var url = server.FileUrl(workspace, target);
        try
        {
            using var body = new ByteArrayContent(payload);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            HttpResponseMessage upload;
            if (server.SpeaksEnvdApi)
            {
                using var form = new MultipartFormDataContent { { body, "file", target } };
                upload = await http.PostAsync(url, form, cancel);
            }
            else
            {
                upload = await http.PutAsync(url, body, cancel);
            }

            using (upload)
            {
                if (!upload.IsSuccessStatusCode)
                {
                    return $"upload answered {(int)upload.StatusCode}";
                }
            }

            using var download = await http.GetAsync(url, cancel);
            if (!download.IsSuccessStatusCode)
            {
                return $"download answered {(int)download.StatusCode}";
            }

            return (await download.Content.ReadAsByteArrayAsync(cancel)).AsSpan().SequenceEqual(payload) ? null : "download differs from upload";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    public static void Log(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
}
