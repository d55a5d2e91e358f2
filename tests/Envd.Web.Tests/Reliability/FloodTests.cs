using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>Connection floods and slow clients: the daemon keeps answering /health and cuts clients that trickle.</summary>
[Collection(nameof(ResourceSensitive))]
public sealed class FloodTests(ITestOutputHelper output)
{
    private const int HeldConnections = 1000;

    [Fact]
    public async Task Health_keeps_answering_while_a_thousand_connections_are_held_open()
    {
        await using var server = await EnvdServer.StartAsync();
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < HeldConnections; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
                held.Add(client);
                var stream = client.GetStream();
                switch (i % 4)
                {
                    case 0:
                        // Idle: connected, nothing sent.
                        break;
                    case 1:
                        // Slowloris: a header block that never ends.
                        await stream.WriteAsync("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "u8.ToArray());
                        break;
                    case 2:
                        // A body promised and never sent.
                        await stream.WriteAsync("POST /init HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"u8.ToArray());
                        break;
                    default:
                        // Keep-alive after one complete exchange.
                        await stream.WriteAsync("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
                        using (var read = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                        {
                            Assert.Equal(204, (await RawHttp.ReadResponseAsync(stream, head: false, read.Token)).Status);
                        }

                        break;
                }
            }

            var latencies = await MeasureHealth(server, 100);
            output.WriteLine($"/health with {HeldConnections} connections held: {Summary(latencies)}");
            Assert.True(latencies.Max() < TimeSpan.FromSeconds(2), Summary(latencies));
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }

        using var after = await server.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.NoContent, after.StatusCode);
    }

    [Fact]
    public async Task A_body_that_trickles_below_the_minimum_rate_is_cut_off()
    {
        var logs = new CapturedLogs();
        await using var server = await EnvdServer.StartAsync(overrides: services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = new TcpClient();
        await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("POST /init HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"envVars\":{"u8.ToArray());

        // Two bytes every 200 ms is 10 B/s, far below Kestrel's 240 B/s once its 5 s grace period is over.
        var clock = Stopwatch.StartNew();
        var answer = ReadAnswer(stream);
        while (!answer.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                await stream.WriteAsync("\"a"u8.ToArray());
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(answer, Task.Delay(200));
        }

        var response = await answer;
        output.WriteLine($"cut after {clock.Elapsed.TotalSeconds:F1} s: {response?.Status.ToString() ?? "connection closed"}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"still reading after {clock.Elapsed}");
        Assert.NotNull(response);
        Assert.Equal(408, response.Status);
        Assert.Contains("\"code\":408", response.Text);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);

        using var health = await server.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    /// <summary>
    /// A separately started daemon, so the uploads' client work cannot slow the daemon's thread pool; /health is timed
    /// from a thread of its own with blocking sockets, so the client's pool cannot slow the timing either.
    /// </summary>
    [Fact]
    public async Task Health_keeps_answering_during_a_storm_of_64_uploads()
    {
        var dir = Directory.CreateTempSubdirectory("envd-storm-").FullName;
        var (daemon, client) = await DaemonProcess.StartAsync();
        try
        {
            var content = new byte[4 * 1024 * 1024];
            new Random(64).NextBytes(content);
            using var uploader = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = client.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var latencies = new List<TimeSpan>();
            using var stop = new CancellationTokenSource();
            var sampler = new Thread(() => SampleHealth(client.BaseAddress!, latencies, stop.Token)) { IsBackground = true };

            var clock = Stopwatch.StartNew();
            sampler.Start();
            await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
            {
                var body = new ByteArrayContent(content);
                body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
                using var response = await uploader.PostAsync($"/files?path={Uri.EscapeDataString(Path.Combine(dir, $"f{i}"))}&username=root", body);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }));
            var elapsed = clock.Elapsed;
            await stop.CancelAsync();
            sampler.Join();

            output.WriteLine($"64 uploads of 4 MiB in {elapsed.TotalSeconds:F1} s; /health meanwhile: {Summary(latencies)}");
            Assert.Equal(64, Directory.GetFiles(dir).Length);
            Assert.All(Directory.GetFiles(dir), f => Assert.Equal(content.Length, new FileInfo(f).Length));
            Assert.True(latencies.Count > 0 && latencies.Max() < TimeSpan.FromSeconds(2), Summary(latencies));
        }
        finally
        {
            daemon.Dispose();
            client.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void SampleHealth(Uri server, List<TimeSpan> latencies, CancellationToken stop)
    {
        var request = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray();
        var buffer = new byte[1024];
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            using (var socket = new TcpClient(server.Host, server.Port))
            {
                var stream = socket.GetStream();
                stream.Write(request);
                var answer = new StringBuilder();
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                Assert.StartsWith("HTTP/1.1 204", answer.ToString());
            }

            lock (latencies)
            {
                latencies.Add(clock.Elapsed);
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>The response, or null when the server closed the connection without one.</summary>
    private static async Task<RawResponse?> ReadAnswer(Stream stream)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await RawHttp.ReadResponseAsync(stream, head: false, timeout.Token);
        }
        catch (IOException)
        {
            return null;
        }
    }

    internal static async Task<List<TimeSpan>> MeasureHealth(EnvdServer server, int count)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = server.BaseAddress };
        var latencies = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync("/health");
            latencies.Add(clock.Elapsed);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        return latencies;
    }

    internal static string Summary(List<TimeSpan> latencies)
    {
        var sorted = latencies.Order().ToList();
        TimeSpan At(double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
        return new StringBuilder()
            .Append($"n={sorted.Count} p50={At(0.5).TotalMilliseconds:F1} ms p99={At(0.99).TotalMilliseconds:F1} ms max={sorted[^1].TotalMilliseconds:F1} ms")
            .ToString();
    }
}
