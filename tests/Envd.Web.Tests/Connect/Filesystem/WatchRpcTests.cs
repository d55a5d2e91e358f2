using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Web.Tests.Connect.Filesystem;

/// <summary>WatchDir streams and polling watchers over the real daemon, as the real user envdtest, on real inotify.</summary>
public sealed class WatchRpcTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private EnvdServer _server = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
        _dir = Path.Combine(_server.Root, "watched");
        Directory.CreateDirectory(_dir);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WatchDir_starts_with_a_start_message_then_reports_create_and_write_by_relative_name()
    {
        await using var watch = await Watch(new { path = _dir });

        await File.WriteAllTextAsync(Path.Combine(_dir, "w.txt"), "data");

        Assert.Equal("""{ "filesystem": { "name": "w.txt", "type": "EVENT_TYPE_CREATE" } }""", await watch.Next());
        Assert.Equal("""{ "filesystem": { "name": "w.txt", "type": "EVENT_TYPE_WRITE" } }""", await watch.Next());
    }

    [Fact]
    public async Task An_upload_shows_as_its_file_created_and_written_never_as_the_staged_copy()
    {
        await using var watch = await Watch(new { path = _dir });

        await Upload(Path.Combine(_dir, "w.txt"), "first");
        await Upload(Path.Combine(_dir, "w.txt"), "second, over the first");
        await File.WriteAllTextAsync(Path.Combine(_dir, "after"), "");

        string[] expected =
        [
            """{ "filesystem": { "name": "w.txt", "type": "EVENT_TYPE_CREATE" } }""",
            """{ "filesystem": { "name": "w.txt", "type": "EVENT_TYPE_WRITE" } }""",
            """{ "filesystem": { "name": "w.txt", "type": "EVENT_TYPE_CREATE" } }""",
            """{ "filesystem": { "name": "w.txt", "type": "EVENT_TYPE_WRITE" } }""",
            """{ "filesystem": { "name": "after", "type": "EVENT_TYPE_CREATE" } }""",
        ];
        foreach (var line in expected)
        {
            Assert.Equal(line, await watch.Next());
        }
    }

    [Fact]
    public async Task Rename_chmod_and_remove_are_reported_and_only_create_write_chmod_carry_the_entry()
    {
        var file = Path.Combine(_dir, "f");
        await File.WriteAllTextAsync(file, "");
        await using var watch = await Watch(new { path = _dir, includeEntry = true });

        File.SetUnixFileMode(file, (UnixFileMode)0x180);
        var chmod = JsonDocument.Parse(await watch.Next()).RootElement.GetProperty("filesystem");
        File.Move(file, Path.Combine(_dir, "g"));
        var renamed = await watch.Next();
        var created = JsonDocument.Parse(await watch.Next()).RootElement.GetProperty("filesystem");
        File.Delete(Path.Combine(_dir, "g"));
        var removed = await watch.Next();

        Assert.Equal("EVENT_TYPE_CHMOD", chmod.GetProperty("type").GetString());
        Assert.Equal(384, chmod.GetProperty("entry").GetProperty("mode").GetInt32());
        Assert.Equal(file, chmod.GetProperty("entry").GetProperty("path").GetString());
        Assert.Equal("""{ "filesystem": { "name": "f", "type": "EVENT_TYPE_RENAME" } }""", renamed);
        Assert.Equal("g", created.GetProperty("name").GetString());
        Assert.Equal("EVENT_TYPE_CREATE", created.GetProperty("type").GetString());
        Assert.Equal("g", created.GetProperty("entry").GetProperty("name").GetString());
        Assert.Equal("""{ "filesystem": { "name": "g", "type": "EVENT_TYPE_REMOVE" } }""", removed);
    }

    [Fact]
    public async Task A_recursive_watch_follows_new_subdirectories_and_announces_trees_that_appear_at_once()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "old"));
        await using var watch = await Watch(new { path = _dir, recursive = true });
        var staged = Path.Combine(_server.Root, "staged");
        Directory.CreateDirectory(Path.Combine(staged, "b", "c"));
        await File.WriteAllTextAsync(Path.Combine(staged, "b", "c", "deep.txt"), "");

        await File.WriteAllTextAsync(Path.Combine(_dir, "old", "x"), "");
        Assert.Equal("""{ "filesystem": { "name": "old/x", "type": "EVENT_TYPE_CREATE" } }""", await watch.Next());
        Directory.Move(staged, Path.Combine(_dir, "a"));

        var names = new List<string>();
        while (names.Count < 4)
        {
            var change = JsonDocument.Parse(await watch.Next()).RootElement.GetProperty("filesystem");
            if (change.GetProperty("name").GetString() == "old/x")
            {
                continue;
            }

            Assert.Equal("EVENT_TYPE_CREATE", change.GetProperty("type").GetString());
            names.Add(change.GetProperty("name").GetString()!);
        }

        Assert.Equal(["a", "a/b", "a/b/c", "a/b/c/deep.txt"], names);
        await File.WriteAllTextAsync(Path.Combine(_dir, "a", "b", "c", "later.txt"), "");
        Assert.Equal("""{ "filesystem": { "name": "a/b/c/later.txt", "type": "EVENT_TYPE_CREATE" } }""", await watch.Next());
    }

    [Fact]
    public async Task A_plain_watch_does_not_look_into_subdirectories()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        await using var watch = await Watch(new { path = _dir });

        await File.WriteAllTextAsync(Path.Combine(_dir, "sub", "hidden"), "");
        await File.WriteAllTextAsync(Path.Combine(_dir, "seen"), "");

        Assert.Equal("""{ "filesystem": { "name": "seen", "type": "EVENT_TYPE_CREATE" } }""", await watch.Next());
    }

    [Fact]
    public async Task Watching_a_missing_path_or_a_file_ends_the_stream_with_an_error()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "file"), "");

        var missing = await WatchFails(new { path = Path.Combine(_dir, "missing") });
        var file = await WatchFails(new { path = Path.Combine(_dir, "file") });

        Assert.Equal("not_found", missing);
        Assert.Equal("invalid_argument", file);
    }

    [Fact]
    public async Task The_watcher_stops_when_the_client_goes_away()
    {
        var system = _server.Services.GetRequiredService<ActorSystem>();
        var watch = await Watch(new { path = _dir });
        Assert.NotEmpty(await Children(system));

        await watch.DisposeAsync();

        var deadline = DateTime.UtcNow + Patience;
        while ((await Children(system)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Empty(await Children(system));
    }

    [Fact]
    public async Task A_polling_watcher_collects_events_until_polled_and_is_gone_once_removed()
    {
        var created = await Call("CreateWatcher", new { path = _dir });
        var id = created.Body.GetProperty("watcherId").GetString()!;
        Assert.Matches(new Regex("^w[a-z0-9]{20}$"), id);

        await File.WriteAllTextAsync(Path.Combine(_dir, "polled"), "");
        var events = new List<JsonElement>();
        var deadline = DateTime.UtcNow + Patience;
        while (events.Count < 2 && DateTime.UtcNow < deadline)
        {
            var polled = await Call("GetWatcherEvents", new { watcherId = id });
            if (polled.Body.TryGetProperty("events", out var batch))
            {
                events.AddRange(batch.EnumerateArray());
            }

            await Task.Delay(50);
        }

        Assert.Equal(["EVENT_TYPE_CREATE", "EVENT_TYPE_WRITE"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal("polled", e.GetProperty("name").GetString()));
        Assert.False((await Call("GetWatcherEvents", new { watcherId = id })).Body.TryGetProperty("events", out _));
        Assert.Equal(200, (await Call("RemoveWatcher", new { watcherId = id })).Status);
        var gone = await Call("GetWatcherEvents", new { watcherId = id });
        Assert.Equal("not_found", gone.ErrorCode);
        Assert.Equal($"watcher with id {id} not found", gone.ErrorMessage);
        Assert.Equal("not_found", (await Call("RemoveWatcher", new { watcherId = id })).ErrorCode);
    }

    [Fact]
    public async Task CreateWatcher_validates_like_WatchDir()
    {
        Assert.Equal("not_found", (await Call("CreateWatcher", new { path = Path.Combine(_dir, "missing") })).ErrorCode);
    }

    private static async Task<List<ActorPath>> Children(ActorSystem system)
    {
        var probe = system.ActorSelection("/user/watchers/*");
        var found = new List<ActorPath>();
        var inbox = Inbox.Create(system);
        probe.Tell(new Identify(null), inbox.Receiver);
        try
        {
            while (true)
            {
                if (await inbox.ReceiveAsync(TimeSpan.FromMilliseconds(300)) is ActorIdentity { Subject: { } subject })
                {
                    found.Add(subject.Path);
                }
            }
        }
        catch (TimeoutException)
        {
            return found;
        }
    }

    private async Task Upload(string path, string content)
    {
        using var body = new StringContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _server.Client.PostAsync($"/files?path={Uri.EscapeDataString(path)}&username={TestUsers.Regular}", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<RpcResult> Call(string method, object body) =>
        RpcCall.Unary(_server.Client, $"/filesystem.Filesystem/{method}", JsonSerializer.Serialize(body), TestUsers.Regular);

    private async Task<WatchStream> Watch(object request)
    {
        var message = ConnectWire.Stream("/filesystem.Filesystem/WatchDir", JsonSerializer.Serialize(request));
        message.Headers.Authorization = RpcCall.BasicUser(TestUsers.Regular);
        message.Headers.Add("Keepalive-Ping-Interval", "50");
        var response = await _server.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stream = new WatchStream(response, ConnectWire.ReadFrames(await response.Content.ReadAsStreamAsync()).GetAsyncEnumerator());
        Assert.Equal("""{ "start": { } }""", await stream.Next());
        return stream;
    }

    private async Task<string?> WatchFails(object request)
    {
        var message = ConnectWire.Stream("/filesystem.Filesystem/WatchDir", JsonSerializer.Serialize(request));
        message.Headers.Authorization = RpcCall.BasicUser(TestUsers.Regular);
        using var response = await _server.Client.SendAsync(message);
        return Assert.Single(await ConnectWire.ReadAllFrames(response)).ErrorCode;
    }

    private sealed class WatchStream(HttpResponseMessage response, IAsyncEnumerator<Frame> frames) : IAsyncDisposable
    {
        public async Task<string> Next()
        {
            Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(Patience), "the stream ended");
            return frames.Current.Text;
        }

        public async ValueTask DisposeAsync()
        {
            response.Dispose();
            try
            {
                await frames.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException)
            {
            }
        }
    }
}
