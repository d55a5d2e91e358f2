using System.Globalization;

namespace EnvdBench;

/// <summary>
/// Scenario 7 alone, for work on the process path: each Envd build (the one under test and any baselines) is started
/// afresh per round, warmed up, then timed over the same number of sequential Start round trips, builds alternating so
/// the machine's noise falls on all of them alike. Prints to stdout; RESULTS.md is left alone.
/// </summary>
internal static class ProcessLatency
{
    private const int WarmUpRuns = 200;

    public static async Task RunAsync(Options options, CancellationToken cancel)
    {
        using var workspace = Workspace.Create(options.WorkRoot, options.LogDir);
        var builds = new[] { options.Envd }.Concat(options.Baselines ?? []).ToList();
        var results = builds.ToDictionary(b => b, _ => new List<Latency>());
        var floors = new List<Latency>();
        Console.WriteLine($"load average before: {MachineInfo.LoadAverage()}");
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var build in round % 2 == 1 ? builds : Enumerable.Reverse(builds))
            {
                await using var server = await Server.StartAsync(ServerKind.Envd, options with { Envd = build }, workspace, round, cancel);
                await ProcessRoundTrip.RunAsync(server.Port, WarmUpRuns, TimeSpan.FromMinutes(1), cancel);
                var cpu = server.CpuSeconds;
                var run = await ProcessRoundTrip.RunAsync(server.Port, options.ProcessRuns, TimeSpan.FromMinutes(3), cancel);
                var cpuPerRun = (server.CpuSeconds - cpu) * 1000 / Math.Max(1, run.Requests);
                results[build].Add(run.Latency);
                Console.WriteLine($"round {round} {build}: {Describe(run.Latency)}, Envd CPU {cpuPerRun:F2} ms per start (its own, not its children's), "
                    + $"errors {run.Errors}{(run.Detail is null ? "" : $" ({run.Detail})")}");
            }

            var floor = SpawnFloor.Run(options.ProcessRuns, TimeSpan.FromMinutes(1)).Latency;
            floors.Add(floor);
            Console.WriteLine($"round {round} floor (Process.Start /bin/true): {Describe(floor)}");
        }

        Console.WriteLine($"load average after: {MachineInfo.LoadAverage()}");
        foreach (var (build, runs) in results)
        {
            Console.WriteLine($"median of rounds, {build}: p50 {Median(runs, l => l.P50)} ms, p99 {Median(runs, l => l.P99)} ms");
        }

        Console.WriteLine($"median of rounds, floor: p50 {Median(floors, l => l.P50)} ms, p99 {Median(floors, l => l.P99)} ms");
    }

    private static string Describe(Latency l) =>
        string.Create(CultureInfo.InvariantCulture, $"{l.Samples} runs, p50 {l.P50:F2} ms, p99 {l.P99:F2} ms, max {l.Max:F2} ms");

    private static string Median(List<Latency> runs, Func<Latency, double> figure)
    {
        var sorted = runs.Select(figure).Order().ToArray();
        return sorted.Length == 0 ? "-" : sorted[sorted.Length / 2].ToString("F2", CultureInfo.InvariantCulture);
    }
}
