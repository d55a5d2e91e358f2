using System.Diagnostics;
using System.Text.Json;
using Envd.Web.Tests.Connect.Processes;
using Envd.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// User processes that fork wildly or eat memory must not stop the daemon from answering /health. Each hostile command
/// bounds itself (ulimit -u / -v, a short deadline) and is killed by its process group at the end, so the test cannot
/// hurt the machine it runs on. This machine's cgroup2 tree has no pids or memory controller; inside the VM the
/// workload cgroups add memory.max on top, which these tests do not exercise.
/// </summary>
[Collection(nameof(ResourceSensitive))]
public sealed class HostileWorkloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private EnvdServer _server = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Health_answers_while_a_user_process_forks_up_to_its_process_limit()
    {
        // bash, because dash has no ulimit -u; the loop is bounded too, should the limit not hold.
        const string bomb = "ulimit -u 128; i=0; while [ $i -lt 1000 ]; do sleep 30 & i=$((i+1)); done 2>/dev/null; wait";
        await using var stream = await Start(bomb, timeoutMs: 20_000, shell: "/bin/bash");
        var group = (int)await stream.StartedAsync();
        try
        {
            var peak = await WaitForGroupToGrow(group);
            var latencies = await FloodTests.MeasureHealth(_server, 50);
            output.WriteLine($"fork bomb at {peak} processes; /health {FloodTests.Summary(latencies)}");

            Assert.True(peak >= 20, $"the bomb only reached {peak} processes");
            Assert.True(peak <= 129, $"the process limit did not hold: {peak} processes");
            Assert.True(latencies.Max() < TimeSpan.FromSeconds(2), FloodTests.Summary(latencies));
        }
        finally
        {
            await KillGroup(group);
        }
    }

    [Fact]
    public async Task Health_answers_while_a_user_process_eats_memory_up_to_its_limit()
    {
        await using var stream = await Start("ulimit -v 300000; head -c 2G /dev/zero | tail -n 1 >/dev/null", timeoutMs: 20_000);
        var group = (int)await stream.StartedAsync();
        try
        {
            var latencies = await FloodTests.MeasureHealth(_server, 50);
            var run = await stream.ReadToEndAsync();
            output.WriteLine($"memory eater ended '{run.Status}' ({run.Stderr.Trim()}); /health {FloodTests.Summary(latencies)}");

            Assert.Contains("memory exhausted", run.Stderr);
            Assert.NotEqual(0, run.ExitCode);
            Assert.True(latencies.Max() < TimeSpan.FromSeconds(2), FloodTests.Summary(latencies));
        }
        finally
        {
            await KillGroup(group);
        }
    }

    [Fact]
    public async Task User_processes_are_the_oom_killers_first_choice()
    {
        await using var stream = await Start("cat /proc/self/oom_score_adj", timeoutMs: 10_000);
        await stream.StartedAsync();

        var run = await stream.ReadToEndAsync();

        Assert.Equal("100", run.Stdout.Trim());
    }

    private Task<ProcessStream> Start(string script, int timeoutMs, string shell = "/bin/sh") =>
        ProcessStream.OpenAsync(
            _server.Client,
            "Start",
            JsonSerializer.Serialize(new { process = new { cmd = shell, args = new[] { "-c", script } }, stdin = false }),
            TestUsers.Regular,
            timeoutMs);

    /// <summary>The group's size once it stops growing (or after 10 s).</summary>
    private static async Task<int> WaitForGroupToGrow(int group)
    {
        var clock = Stopwatch.StartNew();
        var peak = 0;
        var still = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(10) && still < 5)
        {
            await Task.Delay(100);
            var size = MembersOf(group).Count;
            still = size > peak ? 0 : still + 1;
            peak = Math.Max(peak, size);
        }

        return peak;
    }

    /// <summary>Kills every process of the group the test started (the command is its session and group leader).</summary>
    private static async Task KillGroup(int group)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-KILL", "--", "-" + group]) { RedirectStandardError = true })!)
        {
            await kill.WaitForExitAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (MembersOf(group).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.DoesNotContain(MembersOf(group), p => !IsZombie(p));
    }

    private static List<int> MembersOf(int group)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[2]) == group)
                {
                    members.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return members;
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
