using System.Net;
using System.Text;
using Akka.Actor;
using Envd.Actors.Processes;
using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// After thousands of mixed requests, including a thousand processes (some killed by their deadline), uploads and
/// downloads, and watches that end by deadline or by a client walking away, the daemon holds no more descriptors, threads or actors than a fixed
/// margin over where it started, and has no zombie child.
/// </summary>
[Collection(nameof(ResourceSensitive))]
public sealed class NoLeakTests(ITestOutputHelper output)
{
    private const int Requests = 5000;
    private const int Workers = 8;

    /// <summary>The thread pool grows under load and retires idle threads only after about 20 s; that is not a leak.</summary>
    private const int ThreadPoolSlack = 32;

    /// <summary>An exited process's actor stays this long to answer Connect with its end; shorter than upstream's 30 s to keep the test quick.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Five_thousand_mixed_requests_and_a_thousand_processes_leave_descriptors_threads_and_actors_where_they_were()
    {
        await using var server = await EnvdServer.StartAsync(overrides: services =>
        {
            services.Configure<LoggerFilterOptions>(filters => filters.MinLevel = LogLevel.Warning);
            services.AddSingleton(new ProcessTimings(Retention, ProcessTimings.Default.StarterGrace));
        });
        var system = server.Services.GetRequiredService<ActorSystem>();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers }) { BaseAddress = server.BaseAddress };
        var work = Path.Combine(server.Root, "work");
        Directory.CreateDirectory(work);

        await RunMixed(client, work, 0, 400);
        var before = await Settled(system, null);

        await RunMixed(client, work, 400, Requests);
        var after = await Settled(system, before);

        output.WriteLine($"before: {before}; after {Requests} requests: {after}");
        Assert.True(after.OpenFiles <= before.OpenFiles + 16, $"descriptors grew: {before} -> {after}");
        Assert.True(after.Threads <= before.Threads + ThreadPoolSlack, $"threads grew: {before} -> {after}");
        Assert.True(after.Actors <= before.Actors + 2, $"actors grew: {before} -> {after}");
        Assert.Equal(0, after.Zombies);
        Assert.Empty(CutUploadTests.JournalEntries(server));
    }

    private static async Task RunMixed(HttpClient client, string work, int from, int to)
    {
        var next = from - 1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                await OneRequest(client, work, i);
            }
        }));
    }

    private static async Task OneRequest(HttpClient client, string work, int i)
    {
        if (i % 5 == 0)
        {
            await RunProcess(client, killedByDeadline: i % 50 == 0);
            return;
        }

        var dir = $"{work}/d{i % 50}";
        // 16 is coprime with the 5 that picks processes, so every case below still comes up.
        switch (i % 16)
        {
            case 0:
                await Expect(client.GetAsync("/health"), HttpStatusCode.NoContent);
                break;
            case 1:
                await Expect(client.GetAsync("/metrics"), HttpStatusCode.OK);
                break;
            case 2:
                await Expect(client.PostAsync("/init", new StringContent("{\"envVars\":{\"N\":\"" + i + "\"}}")), HttpStatusCode.NoContent);
                break;
            case 3:
                await Expect(client.GetAsync("/envs"), HttpStatusCode.OK);
                break;
            case 4:
                await Rpc(client, "MakeDir", $$"""{"path":"{{dir}}"}""");
                break;
            case 5:
                await Rpc(client, "ListDir", $$"""{"path":"{{work}}","depth":2}""");
                break;
            case 6:
                await Rpc(client, "Remove", $$"""{"path":"{{dir}}"}""");
                break;
            case 7:
                await Watch(client, work, deadlineMs: 30, abortAfter: null);
                break;
            case 8:
                await Watch(client, work, deadlineMs: null, abortAfter: TimeSpan.FromMilliseconds(30));
                break;
            case 9:
                var created = await Rpc(client, "CreateWatcher", $$"""{"path":"{{work}}"}""");
                var id = System.Text.Json.JsonDocument.Parse(created).RootElement.GetProperty("watcherId").GetString();
                await Rpc(client, "GetWatcherEvents", $$"""{"watcherId":"{{id}}"}""");
                var removed = await Rpc(client, "RemoveWatcher", $$"""{"watcherId":"{{id}}"}""");
                Assert.Equal("{ }", removed);
                break;
            case 10:
                await Expect(client.PostAsync("/filesystem.Filesystem/Stat", new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
                break;
            case 11:
                using (var list = await client.PostAsync("/process.Process/List", new StringContent("{}", Encoding.UTF8, "application/json")))
                {
                    Assert.Equal(HttpStatusCode.OK, list.StatusCode);
                }

                break;
            case 12:
                var file = $"{work}/f{i % 20}.bin";
                var upload = new ByteArrayContent(Encoding.UTF8.GetBytes(new string('u', 1 + i % 5000)));
                upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
                await Expect(client.PostAsync($"/files?path={Uri.EscapeDataString(file)}", upload), HttpStatusCode.OK);
                break;
            case 13:
                using (var download = await client.GetAsync($"/files?path={Uri.EscapeDataString($"{work}/f{i % 20}.bin")}"))
                {
                    Assert.True(download.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, download.StatusCode.ToString());
                }

                break;
            default:
                await Expect(client.GetAsync("/no-such-route"), HttpStatusCode.NotFound);
                break;
        }
    }

    /// <summary>A short command read to its end, or a sleeper its deadline kills.</summary>
    private static async Task RunProcess(HttpClient client, bool killedByDeadline)
    {
        var json = killedByDeadline
            ? """{"process":{"cmd":"/bin/sleep","args":["30"]},"stdin":false}"""
            : """{"process":{"cmd":"/bin/echo","args":["leak-check"]},"stdin":false}""";
        var request = ConnectWire.Stream("/process.Process/Start", json);
        request.Headers.Add("Connect-Timeout-Ms", killedByDeadline ? "100" : "20000");
        using var response = await client.SendAsync(request);
        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(killedByDeadline ? "deadline_exceeded" : null, frames[^1].ErrorCode);
    }

    private static async Task Expect(Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await call;
        Assert.Equal(status, response.StatusCode);
    }

    private static async Task<string> Rpc(HttpClient client, string method, string json)
    {
        using var response = await client.PostAsync("/filesystem.Filesystem/" + method, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict or HttpStatusCode.NotFound, $"{method}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>A watch ended by its deadline, or by a client that walks away mid-stream.</summary>
    private static async Task Watch(HttpClient client, string path, int? deadlineMs, TimeSpan? abortAfter)
    {
        var request = ConnectWire.Stream("/filesystem.Filesystem/WatchDir", $$"""{"path":"{{path}}"}""");
        if (deadlineMs is { } ms)
        {
            request.Headers.Add("Connect-Timeout-Ms", ms.ToString());
        }

        using var abort = new CancellationTokenSource(abortAfter ?? TimeSpan.FromSeconds(30));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync(abort.Token);
        }
        catch (OperationCanceledException) when (abortAfter is not null)
        {
        }
    }

    /// <summary>
    /// Counts once exited processes are past their retention and the last requests' actors have stopped (both happen
    /// asynchronously), waiting at most a few seconds more for the count to come back to <paramref name="baseline"/>.
    /// </summary>
    private static async Task<ResourceCounts> Settled(ActorSystem system, ResourceCounts? baseline)
    {
        await Task.Delay(Retention);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var counts = await ResourceCounts.TakeAsync(system);
            if (baseline is null || counts.Actors <= baseline.Actors || DateTime.UtcNow > deadline)
            {
                return counts;
            }
        }
    }
}
