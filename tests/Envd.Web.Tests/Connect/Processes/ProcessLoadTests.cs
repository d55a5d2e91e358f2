using System.Text.Json;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests.Connect.Processes;

[CollectionDefinition(nameof(ProcessLoadTests), DisableParallelization = true)]
public sealed class ProcessLoadCollection;

/// <summary>
/// Many processes at once through the real daemon, then a look at what this test process (which hosts the daemon)
/// holds: run alone, so no other test's pipes or children blur the count.
/// </summary>
[Collection(nameof(ProcessLoadTests))]
public sealed class ProcessLoadTests : IAsyncLifetime
{
    private EnvdServer _server = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Two_hundred_commands_in_parallel_all_complete_and_leave_no_zombie_and_no_extra_fd()
    {
        await RunAsync(0, pty: false);
        await RunAsync(0, pty: true);
        var before = ProcessFds();

        var runs = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => RunAsync(i, pty: i % 4 == 0)));

        foreach (var (i, run) in runs.Index())
        {
            Assert.Equal(0, run.ExitCode);
            var expected = (i + 1) % 4 == 0 ? $"{i + 1} tty" : $"{i + 1} pipe";
            Assert.Equal(expected, (run.Stdout + run.Pty).TrimEnd());
        }

        await Eventually(() => Zombies().Count == 0 && ProcessFds() <= before, () => $"zombies: {Zombies().Count}, fds: {ProcessFds()} vs {before}");
    }

    private async Task<ProcessRun> RunAsync(int i, bool pty)
    {
        var request = JsonSerializer.Serialize(new
        {
            process = new { cmd = "/bin/sh", args = new[] { "-c", $"if [ -t 1 ]; then echo {i} tty; else echo {i} pipe; fi" } },
            pty = pty ? new { size = new { cols = 80, rows = 24 } } : null,
            stdin = !pty,
        });
        await using var stream = await ProcessStream.OpenAsync(_server.Client, "Start", request);
        await stream.StartedAsync();
        return await stream.ReadToEndAsync();
    }

    /// <summary>The fds process handling opens (pipes, PTY masters, pidfds, epoll); sockets of the HTTP pool are not counted.</summary>
    private static int ProcessFds() =>
        Directory.GetFiles("/proc/self/fd")
            .Select(fd =>
            {
                try
                {
                    return new FileInfo(fd).LinkTarget ?? string.Empty;
                }
                catch (IOException)
                {
                    return string.Empty;
                }
            })
            .Count(target => target.StartsWith("pipe:", StringComparison.Ordinal) || target == "/dev/ptmx" || target.StartsWith("anon_inode:[pidfd]", StringComparison.Ordinal));

    private static List<string> Zombies()
    {
        var self = Environment.ProcessId.ToString();
        var zombies = new List<string>();
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z" && fields[1] == self)
                {
                    zombies.Add(stat);
                }
            }
            catch (IOException)
            {
                // The process went away while we looked.
            }
        }

        return zombies;
    }

    private static async Task Eventually(Func<bool> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, describe());
            await Task.Delay(50);
        }
    }
}
