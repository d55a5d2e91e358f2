using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Envd.Web.Tests;

public sealed class LoggingTests
{
    [Fact]
    public async Task An_actor_event_is_one_entry_led_by_the_actor_path_with_the_operation_id_as_a_field()
    {
        var logs = new CapturedLogs();
        await using var server = await EnvdServer.StartAsync(overrides: services => services.AddSingleton<ILoggerProvider>(logs));

        using var response = await server.Client.PostAsync("/init", new StringContent("""{"envVars":{"A":"1"}}"""));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var entry = await WaitForAsync(logs, e => e.Category == "Envd.Actors.Init.InitActor");
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Matches(@"^akka://envd/user/init Init \d+: Applied$", entry.Message);
        Assert.Equal("akka://envd/user/init", entry.Fields["ActorPath"]);
        Assert.IsType<long>(entry.Fields["OperationId"]);
        Assert.Single(logs.Entries, e => e.Category == "Envd.Actors.Init.InitActor");
    }

    [Fact]
    public async Task The_console_prints_one_plain_line_per_event_with_a_single_timestamp_and_level()
    {
        var (daemon, client) = await DaemonProcess.StartAsync();
        using (daemon)
        using (client)
        {
            using var response = await client.PostAsync("/init", new StringContent("{}"));

            var line = await daemon.WaitForLineAsync(l => l.Contains("Init "));
            Assert.Matches(
                new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Envd\.Actors\.Init\.InitActor\[0\] akka://envd/user/init Init \d+: Applied$"),
                line);
        }
    }

    [Fact]
    public async Task Verbose_prints_every_line_as_json_with_the_actor_path_and_operation_id()
    {
        var (daemon, client) = await DaemonProcess.StartAsync("-verbose");
        using (daemon)
        using (client)
        {
            using var response = await client.PostAsync("/init", new StringContent("{}"));

            var line = await daemon.WaitForLineAsync(l => l.Contains("\"Envd.Actors.Init.InitActor\""));
            using var json = JsonDocument.Parse(line);
            var state = json.RootElement.GetProperty("State");
            Assert.Equal("akka://envd/user/init", state.GetProperty("ActorPath").GetString());
            Assert.True(state.GetProperty("OperationId").GetInt64() > 0);
            Assert.Equal("Applied", state.GetProperty("Outcome").GetString());
            Assert.All(daemon.StdoutLines, l => JsonDocument.Parse(l).Dispose());
        }
    }

    private static async Task<CapturedLogs.Entry> WaitForAsync(CapturedLogs logs, Func<CapturedLogs.Entry, bool> match)
    {
        for (var i = 0; i < 100; i++)
        {
            var entry = logs.Entries.FirstOrDefault(match);
            if (entry is not null)
            {
                return entry;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("no matching log entry");
    }
}
