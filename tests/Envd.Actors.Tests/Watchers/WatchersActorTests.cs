using System.Threading.Channels;
using Akka.Actor;
using Envd.Actors.Watchers;
using Envd.Linux.Files;
using Envd.Linux.Users;
using static Envd.Actors.Watchers.WatchersProtocol;

namespace Envd.Actors.Tests.Watchers;

public sealed class WatchersActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly string _root = Directory.CreateTempSubdirectory("envd-watchers-").FullName;
    private readonly IActorRef _watchers;

    public WatchersActorTests() => _watchers = Sys.ActorOf(WatchersActor.Props(new FileEntries(new EtcUserDirectory())), "watchers");

    protected override void AfterAll()
    {
        base.AfterAll();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_polling_watcher_keeps_events_with_entries_until_asked_then_hands_them_over_once()
    {
        _watchers.Tell(new CreateWatcher(new WatchSpec(_root, Recursive: false, IncludeEntry: true)));
        var started = ExpectMsg<WatchStarted>();

        Directory.CreateDirectory(Path.Combine(_root, "a"));
        var events = await AwaitEvents(started.WatcherId);

        Assert.Equal("a", events[0].Name);
        Assert.Equal(WatchEventType.Create, events[0].Type);
        Assert.Equal(Path.Combine(_root, "a"), events[0].Entry?.Path);
        Assert.Equal(FileEntryType.Directory, events[0].Entry?.Type);
        _watchers.Tell(new GetWatcherEvents(started.WatcherId));
        Assert.Empty(ExpectMsg<WatcherEventsResult>().Events);
    }

    [Fact]
    public void Removing_a_polling_watcher_stops_it_and_forgets_its_id()
    {
        _watchers.Tell(new CreateWatcher(new WatchSpec(_root, false, false)));
        var started = ExpectMsg<WatchStarted>();
        Watch(started.Watcher);

        _watchers.Tell(new RemoveWatcher(started.WatcherId));

        var replies = ReceiveN(2);
        Assert.Contains(replies, r => r is WatcherRemoved);
        Assert.Contains(replies, r => r is Terminated t && t.ActorRef.Equals(started.Watcher));
        _watchers.Tell(new GetWatcherEvents(started.WatcherId));
        ExpectMsg<WatcherNotFound>();
        _watchers.Tell(new RemoveWatcher(started.WatcherId));
        ExpectMsg<WatcherNotFound>();
    }

    [Fact]
    public async Task A_stream_watcher_pushes_into_its_channel_and_completes_it_when_stopped()
    {
        var channel = Channel.CreateUnbounded<WatchEvent>();
        _watchers.Tell(new OpenWatchStream(new WatchSpec(_root, true, false), channel.Writer));
        var started = ExpectMsg<WatchStarted>();

        Directory.CreateDirectory(Path.Combine(_root, "d"));
        var created = await channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        started.Watcher.Tell(StopWatch.Instance);

        Assert.Equal(new WatchEvent("d", WatchEventType.Create), created);
        await channel.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_watcher_that_cannot_start_says_why_and_is_not_kept()
    {
        _watchers.Tell(new CreateWatcher(new WatchSpec(Path.Combine(_root, "missing"), false, false)));

        Assert.Contains("missing", ExpectMsg<WatchFailed>().Reason);
    }

    private async Task<IReadOnlyList<WatchEvent>> AwaitEvents(string id)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var result = await _watchers.Ask<WatcherEventsResult>(new GetWatcherEvents(id), TimeSpan.FromSeconds(3));
            if (result.Events.Count > 0)
            {
                return result.Events;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("no events arrived");
    }
}
