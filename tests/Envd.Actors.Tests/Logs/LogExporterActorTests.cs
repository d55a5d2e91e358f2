using Akka.Actor;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Envd.Actors.Logs;
using Envd.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static Envd.Actors.Logs.LogExportProtocol;

namespace Envd.Actors.Tests.Logs;

public sealed class LogExporterActorTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Each_line_is_one_POST_of_json_with_the_sandbox_ids_added()
    {
        var received = new List<(string Body, string? ContentType, bool KeepAlive)>();
        using var collector = new LoopbackHttpServer(async context =>
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            lock (received)
            {
                received.Add((body, context.Request.ContentType, context.Request.KeepAlive));
            }
        });
        var buffer = new LogBuffer();
        buffer.Add(ExportedLogProvider.Format(DateTimeOffset.UnixEpoch, LogLevel.Information, "envd", "first", null));
        buffer.Add(ExportedLogProvider.Format(DateTimeOffset.UnixEpoch, LogLevel.Warning, "envd", "second", null));

        var exporter = Sys.ActorOf(LogExporterActor.Props(buffer));
        exporter.Tell(new ExportLogs(new Uri(collector.BaseAddress, "logs"), "sbx-1", "tpl-1"));

        AwaitCondition(() => { lock (received) { return received.Count == 2; } }, TimeSpan.FromSeconds(5));
        var first = JsonDocument.Parse(received[0].Body).RootElement;
        Assert.Equal("sbx-1", first.GetProperty("instanceID").GetString());
        Assert.Equal("tpl-1", first.GetProperty("envID").GetString());
        Assert.Equal("first", first.GetProperty("message").GetString());
        Assert.Equal("info", first.GetProperty("level").GetString());
        Assert.Equal("warn", JsonDocument.Parse(received[1].Body).RootElement.GetProperty("level").GetString());
        Assert.StartsWith("application/json", received[0].ContentType);
        Assert.False(received[0].KeepAlive);
    }

    [Fact]
    public void Lines_logged_later_are_shipped_too_and_errors_do_not_stop_the_export()
    {
        var calls = 0;
        var bodies = new List<string>();
        using var collector = new LoopbackHttpServer(async context =>
        {
            // The first POST fails: the exporter must carry on with the next line.
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = 500;
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            lock (bodies)
            {
                bodies.Add(body);
            }
        });
        var buffer = new LogBuffer();
        var exporter = Sys.ActorOf(LogExporterActor.Props(buffer));
        exporter.Tell(new ExportLogs(collector.BaseAddress, "sbx", "tpl"));

        buffer.Add("""{"message":"lost"}""");
        buffer.Add("""{"message":"kept"}""");

        AwaitCondition(() => { lock (bodies) { return bodies.Count == 1; } }, TimeSpan.FromSeconds(5));
        Assert.Contains("kept", bodies[0]);
    }

    [Fact]
    public void A_collector_that_never_answers_never_slows_the_loggers()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var buffer = new LogBuffer();
        var exporter = Sys.ActorOf(LogExporterActor.Props(buffer));
        exporter.Tell(new ExportLogs(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/"), "sbx", "tpl"));
        var line = ExportedLogProvider.Format(DateTimeOffset.UtcNow, LogLevel.Information, "envd", new string('m', 1000), null);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20_000; i++)
        {
            buffer.Add(line);
        }

        Assert.True(clock.ElapsedMilliseconds < 2000, $"logging 20k lines took {clock.ElapsedMilliseconds} ms");
        Assert.True(buffer.QueuedBytes <= LogBuffer.MaxBytes);
        Assert.True(buffer.Dropped > 0);
    }

    [Fact]
    public void Tagging_puts_the_ids_first_and_keeps_the_line_valid_json()
    {
        var tagged = LogExporterActor.Tag("""{"level":"info","message":"hi \"there\""}""", new ExportLogs(new Uri("http://x/"), "a\"b", "c"));

        var json = JsonDocument.Parse(tagged).RootElement;
        Assert.Equal("a\"b", json.GetProperty("instanceID").GetString());
        Assert.Equal("hi \"there\"", json.GetProperty("message").GetString());
    }
}
