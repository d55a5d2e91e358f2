using System.Text;
using System.Text.Json;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests.Connect.Processes;

/// <summary>The process.Process service over the real daemon, running real processes as the real user envdtest.</summary>
public sealed class ProcessRpcTests : IAsyncLifetime
{
    private EnvdServer _server = null!;

    private HttpClient Client => _server.Client;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Commands_run_gets_start_then_output_then_end_then_a_clean_end_of_stream()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/bash", args = new[] { "-l", "-c", "echo hello" } }, stdin = false });

        var pid = await stream.StartedAsync();
        var run = await stream.ReadToEndAsync();

        Assert.True(pid > 0);
        Assert.Equal("""{"data":{"stdout":"aGVsbG8K"}}""", Compact(run.Events[0]));
        Assert.Equal("""{"end":{"exited":true,"status":"exit status 0"}}""", Compact(run.Events[^1]));
        Assert.Equal("{}", run.EndOfStream.Text);
    }

    [Fact]
    public async Task The_process_runs_as_the_basic_auth_user_in_its_home_with_envd_and_request_variables()
    {
        await using var stream = await Start(new
        {
            process = new
            {
                cmd = "/bin/sh",
                args = new[] { "-c", "id -un; id -Gn; pwd; echo \"$HOME $USER $LOGNAME $E2B_SANDBOX $DEMO_FOO\"; echo $$" },
                envs = new Dictionary<string, string> { ["DEMO_FOO"] = "bar baz" },
            },
            stdin = false,
        });

        var pid = await stream.StartedAsync();
        var lines = (await stream.ReadToEndAsync()).Stdout.Split('\n');

        Assert.Equal(TestUsers.Regular, lines[0]);
        Assert.Contains(TestUsers.Regular, lines[1].Split(' '));
        Assert.Equal(TestUsers.Home, lines[2]);
        Assert.Equal($"{TestUsers.Home} envdtest envdtest false bar baz", lines[3]);
        Assert.Equal(pid.ToString(), lines[4]);
    }

    [Fact]
    public async Task A_cwd_that_does_not_exist_is_an_invalid_argument_and_a_missing_command_exits_127()
    {
        await using var missingCwd = await Start(new { process = new { cmd = "/bin/true", cwd = "/no/such/dir" } });
        var refused = await missingCwd.ReadToEndAsync();
        await using var missingCommand = await Start(new
        {
            process = new { cmd = "no-such-command-anywhere", envs = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" } },
        });
        await missingCommand.StartedAsync();
        var ran = await missingCommand.ReadToEndAsync();

        Assert.Empty(refused.Events);
        Assert.Equal("invalid_argument", refused.EndOfStream.ErrorCode);
        Assert.Equal("cwd '/no/such/dir' does not exist", refused.EndOfStream.Json.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(127, ran.ExitCode);
    }

    [Fact]
    public async Task A_failing_command_reports_its_exit_status_as_status_and_error()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/bash", args = new[] { "-c", "echo oops 1>&2; exit 3" } }, stdin = false });
        await stream.StartedAsync();

        var run = await stream.ReadToEndAsync();

        Assert.Equal("oops\n", run.Stderr);
        Assert.Equal("""{"exitCode":3,"exited":true,"status":"exit status 3","error":"exit status 3"}""", Compact(run.End!.Value));
    }

    [Fact]
    public async Task Megabytes_of_stdout_and_stderr_arrive_complete_and_in_order()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/sh", args = new[] { "-c", "seq 1 500000; seq 500001 900000 >&2" } } });
        await stream.StartedAsync();

        var run = await stream.ReadToEndAsync();

        Assert.Equal(Lines(1, 500000), run.Stdout);
        Assert.Equal(Lines(500001, 400000), run.Stderr);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Kill_reaches_the_whole_group_and_reports_a_signal_death()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/sh", args = new[] { "-c", "sleep 300 & echo $!; wait" } }, stdin = false });
        var pid = await stream.StartedAsync();
        var grandchild = int.Parse(Encoding.ASCII.GetString((await stream.NextAsync())!.Value.GetProperty("data").GetProperty("stdout").GetBytesFromBase64()));

        var killed = await Unary("SendSignal", new { process = new { pid }, signal = "SIGNAL_SIGKILL" });
        var run = await stream.ReadToEndAsync();
        var again = await Unary("SendSignal", new { process = new { pid }, signal = "SIGNAL_SIGKILL" });

        Assert.Equal(200, killed.Status);
        Assert.Equal("""{"exitCode":-1,"status":"signal: killed","error":"signal: killed"}""", Compact(run.End!.Value));
        Assert.Equal("not_found", again.ErrorCode);
        Assert.Equal($"process with pid {pid} not found", again.ErrorMessage);
        await Eventually(() => !IsAlive(grandchild));
    }

    [Fact]
    public async Task Terminate_ends_the_process_and_other_signals_are_unimplemented()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/sleep", args = new[] { "300" } } });
        var pid = await stream.StartedAsync();

        var unspecified = await Unary("SendSignal", new { process = new { pid }, signal = "SIGNAL_UNSPECIFIED" });
        var terminated = await Unary("SendSignal", new { process = new { pid }, signal = "SIGNAL_SIGTERM" });

        Assert.Equal("unimplemented", unspecified.ErrorCode);
        Assert.Equal(200, terminated.Status);
        Assert.Equal("signal: terminated", (await stream.ReadToEndAsync()).Status);
    }

    [Fact]
    public async Task A_pty_is_the_controlling_terminal_takes_input_and_resizes()
    {
        await using var stream = await Start(new
        {
            process = new { cmd = "/bin/sh", args = new[] { "-c", "[ -t 0 ] && echo tty; stty size; read line; echo \"got $line\"; stty size" } },
            pty = new { size = new { cols = 80, rows = 24 } },
        });
        var pid = await stream.StartedAsync();
        var seen = new StringBuilder();
        while (!seen.ToString().Contains("24 80\r\n"))
        {
            seen.Append(Encoding.UTF8.GetString((await stream.NextAsync())!.Value.GetProperty("data").GetProperty("pty").GetBytesFromBase64()));
        }

        var resized = await Unary("Update", new { process = new { pid }, pty = new { size = new { cols = 100, rows = 30 } } });

        // Sent while the shell still waits for its line: once it has the line it may exit before a later call arrives.
        var wrongInput = await Unary("SendInput", new { process = new { pid }, input = new { stdin = Convert.ToBase64String("x"u8) } });
        var typed = await Unary("SendInput", new { process = new { pid }, input = new { pty = Convert.ToBase64String("ls\n"u8) } });
        var run = await stream.ReadToEndAsync();

        Assert.Equal(200, resized.Status);
        Assert.Equal(200, typed.Status);
        Assert.Equal("internal", wrongInput.ErrorCode);
        Assert.Equal("tty\r\n24 80\r\n", seen.ToString());
        Assert.Equal("ls\r\ngot ls\r\n30 100\r\n", run.Pty);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Stdin_input_and_close_give_the_process_its_data_and_eof()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/cat" }, stdin = true });
        var pid = await stream.StartedAsync();

        var sent = await Unary("SendInput", new { process = new { pid }, input = new { stdin = Convert.ToBase64String("ping\n"u8) } });
        var echoed = await stream.NextAsync();
        var closed = await Unary("CloseStdin", new { process = new { pid } });
        var run = await stream.ReadToEndAsync();

        Assert.Equal(200, sent.Status);
        Assert.Equal("""{"data":{"stdout":"cGluZwo="}}""", Compact(echoed!.Value));
        Assert.Equal(200, closed.Status);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Without_stdin_the_process_reads_eof_and_input_is_refused()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/sh", args = new[] { "-c", "cat; sleep 300" } }, stdin = false });
        var pid = await stream.StartedAsync();

        var refused = await Unary("SendInput", new { process = new { pid }, input = new { stdin = Convert.ToBase64String("x"u8) } });
        var closeAnyway = await Unary("CloseStdin", new { process = new { pid } });
        await Unary("SendSignal", new { process = new { pid }, signal = "SIGNAL_SIGKILL" });

        Assert.Equal("internal", refused.ErrorCode);
        Assert.Equal("error writing to stdin: stdin not enabled or closed", refused.ErrorMessage);
        Assert.Equal(200, closeAnyway.Status);
        Assert.Equal(string.Empty, (await stream.ReadToEndAsync()).Stdout);
    }

    [Fact]
    public async Task StreamInput_writes_each_message_in_order_after_start()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/cat" }, stdin = true, tag = "typist" });
        var pid = await stream.StartedAsync();
        var body = new PushContent("application/connect+json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/process.Process/StreamInput") { Content = body };
        var call = Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await body.WriteAsync(ConnectWire.Envelope("""{"start":{"process":{"tag":"typist"}}}"""));
        foreach (var word in new[] { "one ", "two ", "three" })
        {
            await body.WriteAsync(ConnectWire.Envelope(JsonSerializer.Serialize(new { data = new { input = new { stdin = Convert.ToBase64String(Encoding.UTF8.GetBytes(word)) } } })));
        }

        await body.WriteAsync(ConnectWire.Envelope("""{"keepalive":{}}"""));
        body.Complete();
        var frames = await ConnectWire.ReadAllFrames(await call);
        await Unary("CloseStdin", new { process = new { pid } });

        Assert.Equal(2, frames.Count);
        Assert.Empty(frames[0].Json.EnumerateObject());
        Assert.Null(frames[1].ErrorCode);
        Assert.Equal("one two three", (await stream.ReadToEndAsync()).Stdout);
    }

    [Fact]
    public async Task StreamInput_data_before_start_is_a_failed_precondition()
    {
        var request = ConnectWire.Stream(
            "/process.Process/StreamInput", "application/connect+json", ConnectWire.Envelope("""{"data":{"input":{"stdin":"eA=="}}}"""));

        var frames = await ConnectWire.ReadAllFrames(await Client.SendAsync(request));

        Assert.Equal("failed_precondition", Assert.Single(frames).ErrorCode);
    }

    [Fact]
    public async Task The_timeout_kills_the_process_and_ends_the_stream_with_deadline_exceeded()
    {
        await using var stream = await Start(new { process = new { cmd = "/bin/sleep", args = new[] { "30" } } }, timeoutMs: 500);
        var pid = await stream.StartedAsync();

        var run = await stream.ReadToEndAsync();
        await using var connected = await Open("Connect", new { process = new { pid } });
        await connected.StartedAsync();

        Assert.Equal("deadline_exceeded", run.EndOfStream.ErrorCode);
        Assert.Equal("signal: killed", (await connected.ReadToEndAsync()).Status);
    }

    [Fact]
    public async Task A_disconnected_client_can_reconnect_by_tag_and_by_pid_and_list_shows_the_process()
    {
        int pid;
        await using (var first = await Start(new { process = new { cmd = "/bin/sh", args = new[] { "-c", "read x; echo got $x" }, cwd = "/tmp" }, stdin = true, tag = "server" }))
        {
            pid = (int)await first.StartedAsync();
        }

        var listed = await Unary("List", new { });
        await using var byTag = await Open("Connect", new { process = new { tag = "server" } });
        Assert.Equal(pid, (int)await byTag.StartedAsync());
        await Unary("SendInput", new { process = new { tag = "server" }, input = new { stdin = Convert.ToBase64String("hi\n"u8) } });
        var run = await byTag.ReadToEndAsync();
        await using var byPid = await Open("Connect", new { process = new { pid } });
        Assert.Equal(pid, (int)await byPid.StartedAsync());
        var retained = await byPid.ReadToEndAsync();
        await using var unknown = await Open("Connect", new { process = new { pid = 999999 } });
        var missing = await unknown.ReadToEndAsync();

        var entry = Listed(listed).Single(p => p.GetProperty("pid").GetInt32() == pid);
        Assert.Equal("""{"config":{"cmd":"/bin/sh","args":["-c","read x; echo got $x"],"cwd":"/tmp"},"pid":PID,"tag":"server"}""".Replace("PID", pid.ToString()), Compact(entry));
        Assert.Equal("got hi\n", run.Stdout);
        Assert.Equal(Compact(run.End!.Value), Compact(Assert.Single(retained.Events).GetProperty("end")));
        Assert.Equal("not_found", missing.EndOfStream.ErrorCode);
        Assert.DoesNotContain(Listed(await Unary("List", new { })), p => p.GetProperty("pid").GetInt32() == pid);
    }

    [Fact]
    public async Task Keepalives_fill_silence_when_asked()
    {
        await using var stream = await Open("Start", new { process = new { cmd = "/bin/sleep", args = new[] { "2.5" } } }, keepaliveSeconds: 1);
        await stream.StartedAsync();

        var run = await stream.ReadToEndAsync();

        Assert.Contains("""{"keepalive":{}}""", run.Events.SkipLast(1).Select(Compact));
        Assert.All(run.Events.SkipLast(1), e => Assert.Equal("""{"keepalive":{}}""", Compact(e)));
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Selectors_and_inputs_must_be_set()
    {
        var noSelector = await Unary("SendSignal", new { signal = "SIGNAL_SIGKILL" });
        var noInput = await Unary("SendInput", new { process = new { pid = 1 } });
        var unknownUser = await Unary("List", new { }, user: "nobody-at-all");

        Assert.Equal("unimplemented", noSelector.ErrorCode);
        Assert.Equal("unimplemented", noInput.ErrorCode);
        Assert.Equal("unauthenticated", unknownUser.ErrorCode);
    }

    private Task<ProcessStream> Start(object request, int? timeoutMs = null) => Open("Start", request, timeoutMs);

    private Task<ProcessStream> Open(string method, object request, int? timeoutMs = null, int? keepaliveSeconds = null) =>
        ProcessStream.OpenAsync(Client, method, JsonSerializer.Serialize(request), timeoutMs: timeoutMs, keepaliveSeconds: keepaliveSeconds);

    private Task<RpcResult> Unary(string method, object request, string? user = null) =>
        RpcCall.Unary(Client, $"/process.Process/{method}", JsonSerializer.Serialize(request), user);

    /// <summary>List's processes; proto3 JSON leaves the field out when there are none.</summary>
    private static IEnumerable<JsonElement> Listed(RpcResult list) =>
        list.Body.TryGetProperty("processes", out var processes) ? processes.EnumerateArray() : [];

    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    private static string Lines(int from, int count) => string.Concat(Enumerable.Range(from, count).Select(i => $"{i}\n"));

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

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}
