using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Envd.Web.Hosting;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>The published entry point, <c>envd.dll</c> from the test output, run as a child process.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly object _gate = new();

    private DaemonProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                {
                    _stdout.Add(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
    }

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToList();
            }
        }
    }

    /// <summary>Runs envd to completion (for flags that print and exit).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(budget.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the daemon on a free loopback-reachable port outside the VM, and waits until /health answers.</summary>
    public static async Task<(DaemonProcess Daemon, HttpClient Client)> StartAsync(params string[] flags)
    {
        var port = FreePort();
        var daemon = new DaemonProcess(Process.Start(StartInfo(["-isnotfc", "-port", port.ToString(), .. flags]))!);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var health = await client.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.NoContent)
                {
                    return (daemon, client);
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !daemon._process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var line = StdoutLines.FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("no matching line; stdout was:\n" + string.Join('\n', StdoutLines));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(typeof(EnvdApp).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
