using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Envd.Linux.Files;
using static Envd.Actors.Watchers.WatchersProtocol;

namespace Envd.Actors.Watchers;

/// <summary>
/// Parent of every directory watcher: one child per WatchDir stream, one per polling watcher (found again by its id).
/// A watcher that fails is stopped, never restarted: its client has to learn that events were lost.
/// </summary>
public sealed class WatchersActor : ReceiveActor
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly FileEntries _entries;
    private readonly Dictionary<string, IActorRef> _polling = new(StringComparer.Ordinal);

    public WatchersActor(FileEntries entries)
    {
        _entries = entries;
        Receive<OpenWatchStream>(HandleOpenWatchStream);
        Receive<CreateWatcher>(HandleCreateWatcher);
        Receive<GetWatcherEvents>(HandleGetWatcherEvents);
        Receive<RemoveWatcher>(HandleRemoveWatcher);
        Receive<Terminated>(HandleTerminated);
    }

    public static Props Props(FileEntries entries) => Akka.Actor.Props.Create(() => new WatchersActor(entries));

    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    /// <summary>Upstream's watcher ids: <c>w</c> and 20 characters of <c>[a-z0-9]</c>.</summary>
    public static string NewWatcherId() => "w" + RandomNumberGenerator.GetString(IdAlphabet, 20);

    private void HandleOpenWatchStream(OpenWatchStream message)
    {
        var id = NewWatcherId();
        Context.ActorOf(DirectoryWatchActor.Props(id, message.Spec, _entries, message.Events, Sender), id);
    }

    private void HandleCreateWatcher(CreateWatcher message)
    {
        var id = NewWatcherId();
        var watcher = Context.ActorOf(DirectoryWatchActor.Props(id, message.Spec, _entries, null, Sender), id);
        Context.Watch(watcher);
        _polling[id] = watcher;
    }

    private void HandleGetWatcherEvents(GetWatcherEvents message)
    {
        if (_polling.TryGetValue(message.WatcherId, out var watcher))
        {
            watcher.Forward(message);
            return;
        }

        Sender.Tell(new WatcherNotFound(message.WatcherId));
    }

    private void HandleRemoveWatcher(RemoveWatcher message)
    {
        if (!_polling.Remove(message.WatcherId, out var watcher))
        {
            Sender.Tell(new WatcherNotFound(message.WatcherId));
            return;
        }

        Context.Unwatch(watcher);
        Context.Stop(watcher);
        _log.Info("Polling watcher {0} removed", message.WatcherId);
        Sender.Tell(new WatcherRemoved(message.WatcherId));
    }

    private void HandleTerminated(Terminated message)
    {
        var id = _polling.FirstOrDefault(p => p.Value.Equals(message.ActorRef)).Key;
        if (id is not null)
        {
            _polling.Remove(id);
        }
    }
}
