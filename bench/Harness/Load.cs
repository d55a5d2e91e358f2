using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EnvdBench;

/// <summary>What one load phase moved and how long each request took.</summary>
internal sealed record LoadResult(double Seconds, long Requests, long Bytes, Latency Latency, long Errors, string? Detail);

/// <summary>Latency figures in milliseconds.</summary>
internal sealed record Latency(double P50, double P99, double Max, int Samples)
{
    public static Latency Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return new Latency(double.NaN, double.NaN, double.NaN, 0);
        }

        var sorted = samples.Order().ToArray();
        return new Latency(Rank(sorted, 0.50), Rank(sorted, 0.99), sorted[^1], sorted.Length);
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Runs wrk: one thread, C connections, a Lua script that prints one BENCH line.</summary>
internal static class Wrk
{
    public static async Task<LoadResult> RunAsync(
        Options options, int port, string script, IReadOnlyList<string> scriptArgs, TimeSpan duration, long bytesPerRequest, CancellationToken cancel)
    {
        var luaDir = Path.Combine(options.BenchDir, "wrk");
        string[] args =
        [
            "-t1", $"-c{options.Connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "30s",
            "-s", Path.Combine(luaDir, script), $"http://127.0.0.1:{port}", "--", .. scriptArgs,
        ];
        var run = await Child.RunAsync("wrk", args, duration + TimeSpan.FromSeconds(60), cancel, ("BENCH_WRK_DIR", luaDir));
        var line = run.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("BENCH ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no BENCH line: {run.Stdout}{run.Stderr}");
        var f = line[6..].Split(' ').Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => long.Parse(kv[1], CultureInfo.InvariantCulture));
        var errors = f["connect"] + f["read"] + f["write"] + f["status"] + f["timeout"];
        var ok = f["requests"] - f["status"];
        var latency = new Latency(f["p50_us"] / 1000.0, f["p99_us"] / 1000.0, f["max_us"] / 1000.0, (int)f["requests"]);
        return new LoadResult(f["duration_us"] / 1e6, f["requests"], ok * bytesPerRequest, latency, errors,
            errors > 0 ? $"wrk errors: connect {f["connect"]}, read {f["read"]}, write {f["write"]}, status {f["status"]}, timeout {f["timeout"]}" : null);
    }
}

/// <summary>Runs several curl transfers at once, for the big streams where one process per stream is the lightest client.</summary>
internal static class Curl
{
    public static IReadOnlyList<string> Upload(Server server, Workspace workspace, string source, string target) => server.SpeaksEnvdApi
        ? ["-F", $"file=@{source};type=application/octet-stream;filename={target}", server.FileUrl(workspace, target)]
        : ["-T", source, server.FileUrl(workspace, target)];

    public static IReadOnlyList<string> Download(Server server, Workspace workspace, string file) =>
        [server.FileUrl(workspace, file)];

    public static async Task<LoadResult> RunAsync(IReadOnlyList<IReadOnlyList<string>> transfers, long bytesPerTransfer, TimeSpan limit, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var runs = await Task.WhenAll(transfers.Select(t => Child.RunAsync("curl",
            ["-sS", "-o", "/dev/null", "-H", "Expect:", "--max-time", ((int)limit.TotalSeconds).ToString(), "-w", "%{http_code} %{time_total}", .. t],
            limit + TimeSpan.FromSeconds(10), cancel)));
        var seconds = clock.Elapsed.TotalSeconds;
        var latencies = new List<double>();
        var errors = 0;
        string? detail = null;
        foreach (var run in runs)
        {
            var parts = run.Stdout.Trim().Split(' ');
            var ok = run.ExitCode == 0 && parts.Length == 2 && parts[0].StartsWith('2');
            if (ok)
            {
                latencies.Add(double.Parse(parts[1], CultureInfo.InvariantCulture) * 1000);
            }
            else
            {
                errors++;
                detail ??= $"curl exit {run.ExitCode}, status {parts[0]}: {run.Stderr.Trim()}";
            }
        }

        return new LoadResult(seconds, runs.Length, latencies.Count * bytesPerTransfer, Latency.Of(latencies), errors, detail);
    }
}

/// <summary>Asks one URL at a steady pace on one keep-alive connection, to see what a light client waits while load runs.</summary>
internal static class PacedProbe
{
    public static async Task<LoadResult> RunAsync(string url, TimeSpan interval, CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromSeconds(10) };
        var latencies = new List<double>();
        long errors = 0;
        string? detail = null;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
        {
            var sent = clock.Elapsed;
            try
            {
                using var response = await http.GetAsync(url, CancellationToken.None);
                await response.Content.LoadIntoBufferAsync();
                if (response.IsSuccessStatusCode)
                {
                    latencies.Add((clock.Elapsed - sent).TotalMilliseconds);
                }
                else
                {
                    errors++;
                    detail ??= $"HTTP {(int)response.StatusCode}";
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                errors++;
                detail ??= e.Message;
            }

            var wait = interval * (i + 1) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        return new LoadResult(clock.Elapsed.TotalSeconds, latencies.Count + errors, 0, Latency.Of(latencies), errors, detail);
    }
}

/// <summary>
/// Connect <c>process.Process/Start</c> of <c>/bin/true</c>, request sent to end-of-stream read, one after another on one
/// keep-alive connection, the way the SDK's <c>commands.run</c> does it.
/// </summary>
internal static class ProcessRoundTrip
{
    private static readonly byte[] Request = Envelope("""{"process":{"cmd":"/bin/true"},"stdin":false}""");

    public static async Task<LoadResult> RunAsync(int port, int runs, TimeSpan limit, CancellationToken cancel)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromSeconds(30) };
        var url = $"http://127.0.0.1:{port}/process.Process/Start";
        var latencies = new List<double>();
        long errors = 0;
        string? detail = null;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < runs && total.Elapsed < limit; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var outcome = await StartOnceAsync(http, url, cancel);
            if (outcome is null)
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                continue;
            }

            errors++;
            detail ??= outcome;
            if (i == 0)
            {
                // The first answer already says Start is not there (or broken): no point asking a thousand times.
                break;
            }
        }

        return new LoadResult(total.Elapsed.TotalSeconds, latencies.Count + errors, 0, Latency.Of(latencies), errors, detail);
    }

    /// <summary>Null when the stream carried start, end with exit code 0, and a clean end-of-stream; else what went wrong.</summary>
    private static async Task<string?> StartOnceAsync(HttpClient http, string url, CancellationToken cancel)
    {
        using var content = new ByteArrayContent(Request);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        message.Headers.Add("Connect-Protocol-Version", "1");
        message.Headers.Add("Connect-Timeout-Ms", "60000");
        message.Headers.Add("Keepalive-Ping-Interval", "50");
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancel);
            var body = await response.Content.ReadAsByteArrayAsync(cancel);
            if (!response.IsSuccessStatusCode)
            {
                return $"HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)))}";
            }

            var messages = new List<(byte Flags, string Json)>();
            for (var at = 0; at + 5 <= body.Length;)
            {
                var length = (body[at + 1] << 24) | (body[at + 2] << 16) | (body[at + 3] << 8) | body[at + 4];
                messages.Add((body[at], Encoding.UTF8.GetString(body, at + 5, Math.Min(length, body.Length - at - 5))));
                at += 5 + length;
            }

            var events = messages.Where(m => m.Flags == 0).Select(m => JsonDocument.Parse(m.Json).RootElement.GetProperty("event")).ToList();
            var started = events.Count > 0 && events[0].TryGetProperty("start", out _);
            var ended = events.Any(e => e.TryGetProperty("end", out var end)
                && end.TryGetProperty("exited", out var exited) && exited.GetBoolean()
                && (!end.TryGetProperty("exitCode", out var code) || code.GetInt32() == 0));
            var clean = messages.Count > 0 && messages[^1] is { Flags: 2, Json: "{}" };
            if (started && ended && clean)
            {
                return null;
            }

            var seen = string.Join(" | ", messages.Select(m => m.Json));
            return $"unexpected stream: {seen[..Math.Min(seen.Length, 300)]}";
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    private static byte[] Envelope(string json)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        var envelope = new byte[5 + payload.Length];
        envelope[1] = (byte)(payload.Length >> 24);
        envelope[2] = (byte)(payload.Length >> 16);
        envelope[3] = (byte)(payload.Length >> 8);
        envelope[4] = (byte)payload.Length;
        payload.CopyTo(envelope, 5);
        return envelope;
    }
}

/// <summary>The floor under any process round trip: this harness spawning <c>/bin/true</c> and reaping it.</summary>
internal static class SpawnFloor
{
    public static LoadResult Run(int runs, TimeSpan limit)
    {
        var latencies = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < runs && total.Elapsed < limit; i++)
        {
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
            process.WaitForExit();
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        return new LoadResult(total.Elapsed.TotalSeconds, latencies.Count, 0, Latency.Of(latencies), 0, null);
    }
}

/// <summary>A finished child process and what it printed.</summary>
internal sealed record ChildRun(int ExitCode, string Stdout, string Stderr);

internal static class Child
{
    /// <summary>Runs a program to its end, killing it if it outlives <paramref name="limit"/>.</summary>
    public static async Task<ChildRun> RunAsync(
        string program, IEnumerable<string> args, TimeSpan limit, CancellationToken cancel, params (string Name, string Value)[] env)
    {
        var start = new ProcessStartInfo(program, args)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in env)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{program} {string.Join(' ', args)} ran past {limit.TotalSeconds} s and was killed");
        }

        return new ChildRun(process.ExitCode, await stdout, await stderr);
    }
}
