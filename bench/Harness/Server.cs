using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EnvdBench;

internal enum ServerKind
{
    Envd,
    RawKestrel,
    Nginx,
}

/// <summary>One server under test, started by the harness on a free loopback port, with its /proc figures.</summary>
internal sealed class Server : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private Server(ServerKind kind, int port, Process process, StreamWriter log, double startupMs)
    {
        Kind = kind;
        Port = port;
        _process = process;
        _log = log;
        StartupMs = startupMs;
    }

    public ServerKind Kind { get; }

    public string Name => NameOf(Kind);

    public int Port { get; }

    /// <summary>From exec to the first 2xx answer of <c>/health</c>.</summary>
    public double StartupMs { get; }

    public int Pid => _process.Id;

    /// <summary>Envd and the raw Kestrel peer share Envd's <c>/files</c> API; nginx speaks WebDAV PUT and plain GET.</summary>
    public bool SpeaksEnvdApi => Kind != ServerKind.Nginx;

    public double CpuSeconds => ProcStat.Tree(Pid).Sum(ProcStat.CpuSeconds);

    /// <summary>Summed over the tree: for nginx that counts the master and every worker.</summary>
    public long PeakRssKb => ProcStat.Tree(Pid).Sum(pid => ProcStat.StatusKb(pid, "VmHWM"));

    public long RssKb => ProcStat.Tree(Pid).Sum(pid => ProcStat.StatusKb(pid, "VmRSS"));

    public static string NameOf(ServerKind kind) => kind switch
    {
        ServerKind.Envd => "envd",
        ServerKind.RawKestrel => "raw-kestrel",
        _ => "nginx",
    };

    public void ResetPeak()
    {
        foreach (var pid in ProcStat.Tree(Pid))
        {
            ProcStat.ResetPeak(pid);
        }
    }

    /// <summary>The URL path of the file at the absolute path <paramref name="file"/> under the data dir, both ways.</summary>
    public string FileUrl(Workspace workspace, string file) => SpeaksEnvdApi
        ? $"http://127.0.0.1:{Port}/files?path={Uri.EscapeDataString(file)}"
        : $"http://127.0.0.1:{Port}/{Path.GetRelativePath(workspace.Data, file)}";

    /// <summary>The prefix the wrk scripts append "i.bin" to: a raw absolute path for Envd's API, a URL path for WebDAV.</summary>
    public string UploadPrefix(Workspace workspace, string absolutePrefix) => SpeaksEnvdApi
        ? absolutePrefix
        : "/" + Path.GetRelativePath(workspace.Data, absolutePrefix);

    public string DownloadPrefix(Workspace workspace, string absolutePrefix) => SpeaksEnvdApi
        ? "/files?path=" + absolutePrefix
        : "/" + Path.GetRelativePath(workspace.Data, absolutePrefix);

    public static async Task<Server> StartAsync(ServerKind kind, Options options, Workspace workspace, int attempt, CancellationToken cancel)
    {
        var port = FreePort();
        var start = kind switch
        {
            ServerKind.Envd => new ProcessStartInfo(options.Envd, ["-isnotfc", "-port", port.ToString()]),
            ServerKind.RawKestrel => new ProcessStartInfo(options.RawKestrel, [port.ToString()]),
            _ => NginxStart(options, workspace, port),
        };
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var log = new StreamWriter(Path.Combine(workspace.Logs, $"{NameOf(kind)}-{attempt}.log")) { AutoFlush = true };
        var synchronizedLog = TextWriter.Synchronized(log);

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.OutputDataReceived += (_, e) => synchronizedLog.WriteLine(e.Data);
        process.ErrorDataReceived += (_, e) => synchronizedLog.WriteLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new Server(kind, port, process, log, 0);
        try
        {
            var startup = await WaitForHealthAsync(port, clock, process, TimeSpan.FromSeconds(30), cancel);
            return new Server(kind, port, process, log, startup);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls <c>/health</c> over raw sockets every millisecond: cheap enough not to slow the start it times.</summary>
    private static async Task<double> WaitForHealthAsync(int port, Stopwatch clock, Process process, TimeSpan limit, CancellationToken cancel)
    {
        var request = Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        var answer = new byte[64];
        while (clock.Elapsed < limit)
        {
            cancel.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.StartInfo.FileName} exited with {process.ExitCode} while starting");
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port, cancel);
                await socket.SendAsync(request, cancel);
                var read = await socket.ReceiveAsync(answer, cancel);
                var status = Encoding.ASCII.GetString(answer, 0, read);
                if (status.StartsWith("HTTP/1.1 2", StringComparison.Ordinal))
                {
                    return clock.Elapsed.TotalMilliseconds;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(1, cancel);
        }

        throw new TimeoutException($"{process.StartInfo.FileName} did not answer /health within {limit.TotalSeconds} s");
    }

    private static ProcessStartInfo NginxStart(Options options, Workspace workspace, int port)
    {
        var run = Directory.CreateDirectory(Path.Combine(workspace.Run, $"nginx-{port}")).FullName;
        var config = File.ReadAllText(Path.Combine(options.BenchDir, "nginx.conf"))
            .Replace("@PORT@", port.ToString())
            .Replace("@DATA@", workspace.Data)
            .Replace("@RUN@", run);
        var path = Path.Combine(run, "nginx.conf");
        File.WriteAllText(path, config);
        return new ProcessStartInfo(options.Nginx, ["-p", run, "-c", path, "-e", Path.Combine(run, "error.log")]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM, then SIGKILL if it is still there after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Native.kill(_process.Id, Native.SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }
}
