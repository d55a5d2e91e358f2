using System.Collections.Immutable;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Envd.Actors.Processes;
using Envd.Linux.Processes;
using Envd.Linux.Users;
using static Envd.Actors.Processes.ProcessProtocol;

namespace Envd.Actors.Tests.Processes;

public sealed class ProcessSupervisorTests : TestKit
{
    private static readonly UserAccount Nobody = new EtcUserDirectory().FindUser("nobody")!;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ProcessLauncher _launcher = ProcessLauncher.ForThisDaemon();
    private readonly IActorRef _processes;

    public ProcessSupervisorTests()
    {
        _processes = Sys.ActorOf(ProcessSupervisor.Props(_launcher, new ProcessTimings(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(300))));
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _launcher.Dispose();
    }

    [Fact]
    public async Task A_stream_is_start_then_every_output_byte_then_the_end()
    {
        var subscription = await StartAsync("echo out; echo err >&2; exit 3");

        var events = await RunAsync(subscription);

        Assert.Equal(new ProcessEvent.Started(subscription.Pid), events[0]);
        Assert.Equal("out\n", Text(events, OutputKind.Stdout));
        Assert.Equal("err\n", Text(events, OutputKind.Stderr));
        Assert.Equal(new ProcessEvent.Ended(3, true, "exit status 3", "exit status 3"), events[^1]);
    }

    [Fact]
    public async Task Megabytes_of_stdout_and_stderr_arrive_complete_and_in_order()
    {
        var subscription = await StartAsync("seq 1 300000; seq 300001 600000 >&2");

        var events = await RunAsync(subscription);

        Assert.Equal(Lines(1, 300000), Text(events, OutputKind.Stdout));
        Assert.Equal(Lines(300001, 300000), Text(events, OutputKind.Stderr));
        Assert.Equal(0, Assert.IsType<ProcessEvent.Ended>(events[^1]).ExitCode);
    }

    [Fact]
    public async Task Leaving_a_stream_only_unsubscribes_and_output_nobody_reads_is_dropped_without_holding_the_process()
    {
        var subscription = await StartAsync("seq 1 1000000; exit 4");

        var first = await subscription.Events.Take(2).RunWith(Sink.Seq<ProcessEvent>(), Sys.Materializer());
        Assert.IsType<ProcessEvent.Output>(first[1]);
        await AwaitAssertAsync(
            async () =>
            {
                _processes.Tell(GetProcesses.Instance);
                Assert.DoesNotContain((await ExpectMsgAsync<ProcessesResult>(Patience)).Processes, p => p.Pid == subscription.Pid);
            },
            Patience);

        var rest = await RunAsync(await ConnectAsync(ProcessSelector.ByPid(subscription.Pid)));
        Assert.Equal([new ProcessEvent.Started(subscription.Pid), new ProcessEvent.Ended(4, true, "exit status 4", "exit status 4")], rest);
    }

    [Fact]
    public async Task A_subscriber_that_leaves_does_not_stop_the_process()
    {
        var subscription = await StartAsync("read line; echo still here $line", stdin: true);
        await subscription.Events.Take(1).RunWith(Sink.Ignore<ProcessEvent>(), Sys.Materializer());

        var reconnected = RunAsync(await ConnectAsync(ProcessSelector.ByPid(subscription.Pid)));
        await Task.Delay(100);
        await (await InputAsync(subscription.Pid, InputKind.Stdin)).WriteAsync("x\n"u8.ToArray(), CancellationToken.None);

        Assert.Equal("still here x\n", Text(await reconnected, OutputKind.Stdout));
    }

    [Fact]
    public async Task Two_subscribers_each_get_the_whole_output()
    {
        var subscription = await StartAsync("read go; seq 1 100000", stdin: true);
        var second = await ConnectAsync(ProcessSelector.ByPid(subscription.Pid));
        var firstRun = RunAsync(subscription);
        var secondRun = RunAsync(second);
        await Task.Delay(200);

        var input = await InputAsync(subscription.Pid, InputKind.Stdin);
        await input.WriteAsync("go\n"u8.ToArray(), CancellationToken.None);

        Assert.Equal(Lines(1, 100000), Text(await firstRun, OutputKind.Stdout));
        Assert.Equal(Lines(1, 100000), Text(await secondRun, OutputKind.Stdout));
    }

    [Fact]
    public async Task The_timeout_kills_the_process()
    {
        var subscription = await StartAsync("sleep 30", timeout: TimeSpan.FromMilliseconds(300));

        var events = await RunAsync(subscription);

        Assert.Equal(new ProcessEvent.Ended(-1, false, "signal: killed", "signal: killed"), events[^1]);
    }

    [Fact]
    public async Task A_signal_reaches_the_whole_group_and_ends_the_stream()
    {
        var subscription = await StartAsync("sleep 300 & echo $!; wait");
        var events = RunAsync(subscription);
        var grandchild = await GrandchildPidAsync(subscription.Pid);

        _processes.Tell(new SignalProcess(ProcessSelector.ByPid(subscription.Pid), SignalNames.Terminate));

        Assert.Equal(ProcessCommandResult.Done, await ExpectMsgAsync<ProcessCommandResult>(Patience));
        Assert.Equal(new ProcessEvent.Ended(-1, false, "signal: terminated", "signal: terminated"), (await events)[^1]);
        await AwaitAssertAsync(() => Assert.False(IsAlive(grandchild)), Patience);
    }

    [Fact]
    public async Task Connect_by_tag_and_list_show_running_processes()
    {
        var subscription = await StartAsync("read line; echo got $line", stdin: true, tag: "worker");

        _processes.Tell(GetProcesses.Instance);
        var listed = Assert.Single((await ExpectMsgAsync<ProcessesResult>(Patience)).Processes, p => p.Pid == subscription.Pid);
        Assert.Equal("worker", listed.Tag);
        Assert.Equal("/bin/sh", listed.Config.Cmd);

        var byTag = await ConnectAsync(ProcessSelector.ByTag("worker"));
        var events = RunAsync(byTag);
        await Task.Delay(100);
        var input = await InputAsync(subscription.Pid, InputKind.Stdin);
        await input.WriteAsync("hello\n"u8.ToArray(), CancellationToken.None);

        Assert.Equal("got hello\n", Text(await events, OutputKind.Stdout));
        _processes.Tell(GetProcesses.Instance);
        await AwaitAssertAsync(
            async () =>
            {
                _processes.Tell(GetProcesses.Instance);
                Assert.DoesNotContain((await ExpectMsgAsync<ProcessesResult>(Patience)).Processes, p => p.Pid == subscription.Pid);
            },
            Patience);
    }

    [Fact]
    public async Task A_recent_exit_still_answers_connect_with_its_end_until_the_retention_is_over()
    {
        var subscription = await StartAsync("exit 5", tag: "short");
        await RunAsync(subscription);

        var byPid = await RunAsync(await ConnectAsync(ProcessSelector.ByPid(subscription.Pid)));
        var byTag = await RunAsync(await ConnectAsync(ProcessSelector.ByTag("short")));

        var expected = new ProcessEvent[] { new ProcessEvent.Started(subscription.Pid), new ProcessEvent.Ended(5, true, "exit status 5", "exit status 5") };
        Assert.Equal(expected, byPid);
        Assert.Equal(expected, byTag);
        await Task.Delay(3300);
        _processes.Tell(new ConnectProcess(ProcessSelector.ByPid(subscription.Pid)));
        var error = (await ExpectMsgAsync<SubscribeResult>(Patience)).Error;
        Assert.Equal(new ProcessError(ProcessErrorCode.NotFound, $"process with pid {subscription.Pid} not found"), error);
    }

    [Fact]
    public async Task A_tagged_restart_hides_the_predecessors_end()
    {
        await RunAsync(await StartAsync("exit 1", tag: "job"));
        var second = await StartAsync("cat", stdin: true, tag: "job");

        var connected = await ConnectAsync(ProcessSelector.ByTag("job"));

        Assert.Equal(second.Pid, connected.Pid);
        _processes.Tell(new CloseStdin(ProcessSelector.ByTag("job")));
        await ExpectMsgAsync<ProcessCommandResult>(Patience);
        Assert.Equal(0, Assert.IsType<ProcessEvent.Ended>((await RunAsync(connected))[^1]).ExitCode);
    }

    [Fact]
    public async Task Unknown_processes_are_not_found()
    {
        _processes.Tell(new SignalProcess(ProcessSelector.ByPid(999999), SignalNames.Kill));
        Assert.Equal(ProcessErrorCode.NotFound, (await ExpectMsgAsync<ProcessCommandResult>(Patience)).Error!.Code);
        _processes.Tell(new ConnectProcess(ProcessSelector.ByTag("nobody-has-this")));
        Assert.Equal("process with tag nobody-has-this not found", (await ExpectMsgAsync<SubscribeResult>(Patience)).Error!.Message);
    }

    [Fact]
    public async Task Input_goes_to_the_kind_the_process_has()
    {
        var piped = await StartAsync("cat", stdin: true);
        var noStdin = await StartAsync("sleep 5");
        var terminal = await StartAsync("cat", terminal: new TerminalSize(80, 24));

        _processes.Tell(new GetProcessInput(ProcessSelector.ByPid(piped.Pid), InputKind.Pty));
        Assert.StartsWith("error writing to tty: tty not assigned", (await ExpectMsgAsync<ProcessInputResult>(Patience)).Error!.Message);
        _processes.Tell(new GetProcessInput(ProcessSelector.ByPid(noStdin.Pid), InputKind.Stdin));
        Assert.Equal("error writing to stdin: stdin not enabled or closed", (await ExpectMsgAsync<ProcessInputResult>(Patience)).Error!.Message);
        _processes.Tell(new GetProcessInput(ProcessSelector.ByPid(terminal.Pid), InputKind.Stdin));
        Assert.StartsWith("error writing to stdin: tty assigned", (await ExpectMsgAsync<ProcessInputResult>(Patience)).Error!.Message);
        _processes.Tell(new CloseStdin(ProcessSelector.ByPid(terminal.Pid)));
        Assert.Equal(ProcessErrorCode.Unknown, (await ExpectMsgAsync<ProcessCommandResult>(Patience)).Error!.Code);
        _processes.Tell(new ResizeTerminal(ProcessSelector.ByPid(piped.Pid), new TerminalSize(10, 10)));
        Assert.Equal("error resizing tty: tty not assigned to process", (await ExpectMsgAsync<ProcessCommandResult>(Patience)).Error!.Message);

        var pty = RunAsync(terminal);
        var writer = await InputAsync(terminal.Pid, InputKind.Pty);
        await writer.WriteAsync("typed\n\u0004"u8.ToArray(), CancellationToken.None);
        Assert.Contains("typed\r\n", Text(await pty, OutputKind.Pty));

        foreach (var pid in new[] { piped.Pid, noStdin.Pid })
        {
            _processes.Tell(new SignalProcess(ProcessSelector.ByPid(pid), SignalNames.Kill));
            await ExpectMsgAsync<ProcessCommandResult>(Patience);
        }
    }

    [Fact]
    public async Task Output_flows_when_the_starter_never_attaches()
    {
        _processes.Tell(new StartProcess(Spec("seq 1 1000000; exit 6", false, null), Config(), "orphan", null));
        var pid = (await ExpectMsgAsync<SubscribeResult>(Patience)).Subscription!.Pid;

        await AwaitAssertAsync(
            async () =>
            {
                _processes.Tell(GetProcesses.Instance);
                Assert.DoesNotContain((await ExpectMsgAsync<ProcessesResult>(Patience)).Processes, p => p.Pid == pid);
            },
            Patience);
    }

    [Fact]
    public async Task A_failed_start_is_an_invalid_argument()
    {
        _processes.Tell(new StartProcess(Spec("true", false, null) with { WorkingDirectory = "/missing" }, Config(), null, null));

        var error = (await ExpectMsgAsync<SubscribeResult>(Patience)).Error!;
        Assert.Equal(ProcessErrorCode.InvalidArgument, error.Code);
        Assert.StartsWith("error starting process", error.Message);
    }

    private async Task<ProcessSubscription> StartAsync(
        string script, bool stdin = false, string? tag = null, TimeSpan? timeout = null, TerminalSize? terminal = null)
    {
        _processes.Tell(new StartProcess(Spec(script, stdin, terminal), Config(), tag, timeout));
        var result = await ExpectMsgAsync<SubscribeResult>(Patience);
        Assert.Null(result.Error);
        return result.Subscription!;
    }

    private async Task<ProcessSubscription> ConnectAsync(ProcessSelector selector)
    {
        _processes.Tell(new ConnectProcess(selector));
        var result = await ExpectMsgAsync<SubscribeResult>(Patience);
        Assert.Null(result.Error);
        return result.Subscription!;
    }

    private async Task<InputWriter> InputAsync(uint pid, InputKind kind)
    {
        _processes.Tell(new GetProcessInput(ProcessSelector.ByPid(pid), kind));
        var result = await ExpectMsgAsync<ProcessInputResult>(Patience);
        Assert.Null(result.Error);
        return result.Input!;
    }

    private async Task<IReadOnlyList<ProcessEvent>> RunAsync(ProcessSubscription subscription) =>
        await subscription.Events.RunWith(Sink.Seq<ProcessEvent>(), Sys.Materializer()).WaitAsync(TimeSpan.FromSeconds(30));

    private static async Task<int> GrandchildPidAsync(uint pid)
    {
        var children = $"/proc/{pid}/task/{pid}/children";
        for (var i = 0; i < 200; i++)
        {
            var text = File.Exists(children) ? (await File.ReadAllTextAsync(children)).Trim() : string.Empty;
            if (text.Length > 0)
            {
                return int.Parse(text.Split(' ')[0]);
            }

            await Task.Delay(10);
        }

        throw new InvalidOperationException("no grandchild appeared");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static ProcessSpec Spec(string script, bool stdin, TerminalSize? terminal) =>
        ProcessLaunchRules.Spec(
            Config() with { Args = ["-c", script] }, Nobody, "/tmp", ImmutableDictionary<string, string>.Empty, "/usr/bin:/bin", terminal, stdin);

    private static ProcessConfig Config() => new("/bin/sh", [], ImmutableDictionary<string, string>.Empty, null);

    private static string Text(IEnumerable<ProcessEvent> events, OutputKind kind) =>
        Encoding.UTF8.GetString(events.OfType<ProcessEvent.Output>().Where(o => o.Kind == kind).SelectMany(o => o.Data).ToArray());

    private static string Lines(int from, int count) => string.Concat(Enumerable.Range(from, count).Select(i => $"{i}\n"));
}
