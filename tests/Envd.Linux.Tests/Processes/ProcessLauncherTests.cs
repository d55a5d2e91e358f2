using System.Runtime.InteropServices;
using System.Text;
using Envd.Linux.Processes;
using Envd.Linux.Users;
using Envd.Tests.Infrastructure;

namespace Envd.Linux.Tests.Processes;

/// <summary>Runs alone: its fd and zombie counts cover the whole test process, so no other test may open files meanwhile.</summary>
[CollectionDefinition(nameof(ProcessLauncherTests), DisableParallelization = true)]
[Collection(nameof(ProcessLauncherTests))]
public sealed partial class ProcessLauncherTests : IDisposable
{
    private static readonly UserAccount Nobody = new EtcUserDirectory().FindUser("nobody")!;
    private readonly ProcessLauncher _launcher = ProcessLauncher.ForThisDaemon();

    public void Dispose() => _launcher.Dispose();

    [Fact]
    public async Task Runs_the_command_as_the_user_with_its_groups_cwd_and_exactly_the_given_environment()
    {
        var result = await RunAsync(
            "id -u; id -g; id -G; pwd; echo \"$$\"; grep -E '^(Uid|Gid):' /proc/self/status; env | sort",
            env: [new("PATH", "/usr/bin:/bin"), new("HOME", "/nonexistent"), new("ONLY", "this")]);

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Real, effective, saved and filesystem ids alike: nothing of root is left to regain.
        Assert.Equal(
            ["65534", "65534", string.Join(' ', Nobody.Groups), "/tmp", result.Pid.ToString(), "Uid:\t65534\t65534\t65534\t65534", "Gid:\t65534\t65534\t65534\t65534"],
            lines[..7]);
        Assert.Contains("ONLY=this", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("DOTNET_", StringComparison.Ordinal));
        Assert.Equal(0, result.Exit.Code);
    }

    [Fact]
    public async Task The_spawning_thread_keeps_its_own_credentials()
    {
        var before = ThreadCredentials();
        using var child = _launcher.Start(Spec("true"));
        var after = ThreadCredentials();

        Assert.Equal(before, after);
        Assert.Equal(0, (await child.Exit.WaitAsync(TimeSpan.FromSeconds(30))).Code);
    }

    [Fact]
    public async Task Keeps_stdout_and_stderr_apart_and_reports_the_exit_status()
    {
        var result = await RunAsync("echo out; echo err >&2; exit 3");

        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.Equal(new ProcessExit(3, null, false), result.Exit);
    }

    [SkippableFact]
    public async Task The_command_and_what_it_forks_run_in_the_given_cgroup()
    {
        Skip.If(TestCgroup.Unavailable is not null, TestCgroup.Unavailable);
        using var cgroup = TestCgroup.Create();
        var work = Directory.CreateDirectory(Path.Combine(cgroup.Path, "work")).FullName;

        using var child = _launcher.Start(
            Spec("cat /proc/self/cgroup; sh -c 'cat /proc/self/cgroup' & wait") with { CgroupProcs = Path.Combine(work, "cgroup.procs") });
        var output = await CollectAsync(child);

        var expected = $"0::/{Path.GetFileName(cgroup.Path)}/work";
        Assert.Equal([expected, expected], output.Stdout.Split('\n').Where(l => l.StartsWith("0::", StringComparison.Ordinal)));
        Assert.Equal(0, (await child.Exit).Code);
    }

    [Fact]
    public async Task The_command_gets_oom_score_100_best_effort_io_priority_4_and_nice_0_when_envd_runs_niced()
    {
        const string script = "cat /proc/self/oom_score_adj; ionice; nice";

        // Children inherit the spawning thread's nice value; this thread stands in for a niced Envd.
        using var fromNicedEnvd = new ProcessLauncher(daemonNice: 7);
        var (niced, asIs) = WithThreadNice(7, () => (fromNicedEnvd.Start(Spec(script)), _launcher.Start(Spec(script))));
        using (niced)
        using (asIs)
        {
            Assert.Equal("100\nbest-effort: prio 4\n0\n", (await CollectAsync(niced)).Stdout);

            // Upstream leaves nice alone when Envd is not niced.
            Assert.Equal("100\nbest-effort: prio 4\n7\n", (await CollectAsync(asIs)).Stdout);
            await Task.WhenAll(niced.Exit, asIs.Exit);
        }
    }

    [Fact]
    public async Task The_command_does_not_run_before_its_child_is_placed()
    {
        using var scratch = Scratch();
        var procs = MakeFifo(scratch.Path, "cgroup.procs");
        var marker = Path.Combine(scratch.Path, "ran");

        // Writing the pid to a FIFO blocks until someone reads it: the launcher is held in the middle of the placement.
        var starting = Task.Run(() => _launcher.Start(Spec($"touch {marker}") with { CgroupProcs = procs }));
        await Task.Delay(500);
        Assert.False(starting.IsCompleted);
        Assert.False(File.Exists(marker));

        var written = await File.ReadAllTextAsync(procs);
        using var child = await starting;
        await CollectAsync(child);

        Assert.Equal(child.Pid.ToString(), written);
        Assert.Equal(0, (await child.Exit).Code);
        Assert.True(File.Exists(marker));
    }

    [Fact]
    public async Task A_child_that_dies_before_its_go_ahead_fails_the_start_and_is_reaped()
    {
        using var scratch = Scratch();
        var procs = MakeFifo(scratch.Path, "cgroup.procs");
        var marker = Path.Combine(scratch.Path, "ran");
        var fdsBefore = Directory.GetFiles("/proc/self/fd").Length;

        var starting = Task.Run(() => _launcher.Start(Spec($"touch {marker}") with { CgroupProcs = procs }));
        var waiting = await WaitForAsync(() => WaitingShells().FirstOrDefault());
        Assert.Equal(0, kill(waiting, SignalNames.Kill));
        await WaitForAsync(() => File.ReadAllText($"/proc/{waiting}/stat").Contains(") Z ") ? waiting : null);
        await File.ReadAllTextAsync(procs);

        var error = await Assert.ThrowsAsync<ProcessStartException>(() => starting);
        Assert.StartsWith("error starting process '/bin/sh -c touch ", error.Message);
        Assert.False(File.Exists(marker));
        Assert.Empty(Zombies());
        Assert.False(Directory.Exists($"/proc/{waiting}"));
        Assert.InRange(Directory.GetFiles("/proc/self/fd").Length, 0, fdsBefore + 2);
    }

    [Fact]
    public async Task A_missing_command_exits_127()
    {
        var result = await RunAsync(null, command: "/no/such/command");

        Assert.Equal(127, result.Exit.Code);
    }

    [Fact]
    public async Task A_signal_death_reports_minus_one_and_the_signal()
    {
        var result = await RunAsync("kill -TERM $$");

        Assert.Equal(-1, result.Exit.Code);
        Assert.Equal("signal: terminated", result.Exit.Status);
    }

    [Fact]
    public async Task Signals_default_and_unblocked_in_the_child()
    {
        var result = await RunAsync("grep -E '^Sig(Blk|Ign)' /proc/self/status");

        var masks = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Convert.ToUInt64(l.Split('\t')[1], 16)).ToArray();
        Assert.Equal(0UL, masks[0]);

        // Signals 1-31; glibc keeps its two internal real-time signals out of every signal set.
        Assert.Equal(0UL, masks[1] & 0x7fffffff);
    }

    [Fact]
    public async Task The_child_sees_only_its_three_standard_fds()
    {
        var result = await RunAsync(null, command: "/bin/ls", args: ["/proc/self/fd"]);

        Assert.Equal("0\n1\n2\n3\n", result.Stdout);
    }

    [Fact]
    public async Task Every_byte_of_large_output_arrives_in_order()
    {
        var result = await RunAsync("seq 1 400000");

        Assert.Equal(string.Concat(Enumerable.Range(1, 400000).Select(i => $"{i}\n")), result.Stdout);
    }

    [Fact]
    public async Task Stdin_is_dev_null_unless_asked()
    {
        var result = await RunAsync(null, command: "/bin/cat");

        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(0, result.Exit.Code);
    }

    [Fact]
    public async Task Stdin_input_reaches_the_child_and_closing_it_gives_eof()
    {
        using var child = _launcher.Start(Spec(null, "/bin/cat", [], stdin: true));
        var output = CollectAsync(child);

        await child.Input!.WriteAsync("hello "u8.ToArray(), CancellationToken.None);
        await child.Input.WriteAsync("world"u8.ToArray(), CancellationToken.None);
        child.Input.Close();

        Assert.Equal("hello world", (await output).Stdout);
        Assert.Equal(0, (await child.Exit).Code);
        await Assert.ThrowsAsync<InputClosedException>(() => child.Input.WriteAsync("late"u8.ToArray(), CancellationToken.None));
    }

    [Fact]
    public async Task A_group_signal_also_kills_the_commands_children()
    {
        using var child = _launcher.Start(Spec("sleep 300 & echo $!; wait"));
        var reader = child.Outputs[0].ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        var grandchild = int.Parse(Encoding.ASCII.GetString(reader.Current).Trim());

        Assert.True(child.SignalGroup(SignalNames.Kill));

        Assert.Equal("signal: killed", (await child.Exit.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        Assert.False(await reader.MoveNextAsync());
        await WaitUntilAsync(() => !File.Exists($"/proc/{grandchild}/stat") || File.ReadAllText($"/proc/{grandchild}/stat").Contains(") Z "));
        await reader.DisposeAsync();
    }

    [Fact]
    public async Task A_terminal_is_the_controlling_tty_with_the_requested_size_and_can_be_resized()
    {
        using var child = _launcher.Start(Spec(
            "[ -t 0 ] && echo tty; stty size; read line; stty size", terminal: new TerminalSize(100, 30)));
        await using var output = child.Outputs[0].ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        var text = new StringBuilder();
        while (!text.ToString().Contains("30 100\r\n") && await output.MoveNextAsync())
        {
            text.Append(Encoding.UTF8.GetString(output.Current));
        }

        child.Resize(new TerminalSize(120, 40));
        await child.Input!.WriteAsync("\n"u8.ToArray(), CancellationToken.None);
        while (await output.MoveNextAsync())
        {
            text.Append(Encoding.UTF8.GetString(output.Current));
        }

        Assert.Equal(0, (await child.Exit).Code);
        Assert.Equal("tty\r\n30 100\r\n\r\n40 120\r\n", text.ToString());
    }

    [Fact]
    public async Task Job_control_works_on_the_terminal()
    {
        using var child = _launcher.Start(Spec(null, "/bin/bash", ["-i", "-c", "sleep 0.1 & jobs; wait; echo done"], terminal: new TerminalSize(80, 24)));
        var output = await CollectAsync(child);

        Assert.Contains("Running", output.Pty);
        Assert.DoesNotContain("no job control", output.Pty);
        Assert.Equal(0, (await child.Exit).Code);
    }

    [Fact]
    public void A_failed_start_says_why_and_leaves_no_fd_behind()
    {
        var spec = Spec("true") with { WorkingDirectory = "/no/such/dir" };
        Assert.Throws<ProcessStartException>(() => _launcher.Start(spec));
        var fdsBefore = Directory.GetFiles("/proc/self/fd").Length;

        for (var i = 0; i < 20; i++)
        {
            Assert.Throws<ProcessStartException>(() => _launcher.Start(spec with { Terminal = new TerminalSize(80, 24) }));
            Assert.Throws<ProcessStartException>(() => _launcher.Start(spec with { Stdin = true }));
        }

        var error = Assert.Throws<ProcessStartException>(() => _launcher.Start(spec));
        Assert.Equal("error starting process '/bin/sh -c true': No such file or directory", error.Message);
        Assert.InRange(Directory.GetFiles("/proc/self/fd").Length, 0, fdsBefore + 2);
    }

    [Fact]
    public async Task Thousands_of_runs_leave_no_zombie_and_no_extra_fd()
    {
        await RunAsync("true");
        var fdsBefore = Directory.GetFiles("/proc/self/fd").Length;

        for (var round = 0; round < 20; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => RunAsync("echo x", stdin: round % 2 == 0)));
        }

        Assert.Empty(Zombies());
        Assert.InRange(Directory.GetFiles("/proc/self/fd").Length, 0, fdsBefore + 2);
    }

    private static IEnumerable<string> Zombies()
    {
        var self = Environment.ProcessId.ToString();
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] == "Z" && fields[1] == self)
            {
                yield return stat;
            }
        }
    }

    private async Task<RunResult> RunAsync(
        string? script, string command = "/bin/sh", IReadOnlyList<string>? args = null, IReadOnlyList<KeyValuePair<string, string>>? env = null,
        bool stdin = false, ProcessLauncher? launcher = null)
    {
        using var child = (launcher ?? _launcher).Start(Spec(script, command, args, env, stdin));
        var output = await CollectAsync(child);
        var exit = await child.Exit.WaitAsync(TimeSpan.FromSeconds(30));
        return new RunResult(child.Pid, output.Stdout, output.Stderr, exit);
    }

    private static ProcessSpec Spec(
        string? script, string command = "/bin/sh", IReadOnlyList<string>? args = null, IReadOnlyList<KeyValuePair<string, string>>? env = null,
        bool stdin = false, TerminalSize? terminal = null) =>
        new(command, args ?? (script is null ? [] : ["-c", script]), env ?? [new("PATH", "/usr/bin:/bin")], "/tmp", Nobody, terminal, stdin);

    private static async Task<(string Stdout, string Stderr, string Pty)> CollectAsync(ChildProcess child)
    {
        var texts = await Task.WhenAll(child.Outputs.Select(async reader =>
        {
            var bytes = new MemoryStream();
            await foreach (var chunk in reader.ReadAllAsync(CancellationToken.None))
            {
                bytes.Write(chunk);
            }

            return (reader.Kind, Text: Encoding.UTF8.GetString(bytes.ToArray()));
        }));
        string Of(OutputKind kind) => texts.FirstOrDefault(t => t.Kind == kind).Text ?? string.Empty;
        return (Of(OutputKind.Stdout), Of(OutputKind.Stderr), Of(OutputKind.Pty));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }

    private static async Task<int> WaitForAsync(Func<int?> find)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (find() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "not found within 10 s");
            await Task.Delay(20);
        }
    }

    /// <summary>Children of this process that are still the launcher's shell, waiting for the go-ahead.</summary>
    private static IEnumerable<int?> WaitingShells()
    {
        var self = Environment.ProcessId.ToString();
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
        {
            string stat, cmdline;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }

            if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == self && cmdline.StartsWith("/bin/sh\0-c\0read -r go", StringComparison.Ordinal))
            {
                yield return int.Parse(Path.GetFileName(dir));
            }
        }
    }

    /// <summary>The Uid, Gid and Groups lines of the calling thread, whose credentials are its own on Linux.</summary>
    private static string ThreadCredentials() => string.Join('\n', File.ReadAllLines("/proc/thread-self/status")
        .Where(l => l.StartsWith("Uid:", StringComparison.Ordinal) || l.StartsWith("Gid:", StringComparison.Ordinal) || l.StartsWith("Groups:", StringComparison.Ordinal)));

    /// <summary>Runs <paramref name="body"/> on this thread with its nice value raised, then sets it back to 0.</summary>
    private static T WithThreadNice<T>(int nice, Func<T> body)
    {
        var thread = gettid();
        Assert.Equal(0, setpriority(0, thread, nice));
        try
        {
            return body();
        }
        finally
        {
            Assert.Equal(0, setpriority(0, thread, 0));
        }
    }

    /// <summary>A temp directory the test user may write in, removed with what is in it.</summary>
    private static ScratchDirectory Scratch()
    {
        var directory = Directory.CreateTempSubdirectory("envd-launch-");
        directory.UnixFileMode = (UnixFileMode)0x1ff;
        return new ScratchDirectory(directory.FullName);
    }

    private static string MakeFifo(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        Assert.Equal(0, mkfifo(path, 0x180));
        return path;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkfifo(string path, uint mode);

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial int setpriority(int which, int who, int priority);

    [LibraryImport("libc")]
    private static partial int gettid();

    private sealed record RunResult(int Pid, string Stdout, string Stderr, ProcessExit Exit);

    private sealed record ScratchDirectory(string Path) : IDisposable
    {
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
