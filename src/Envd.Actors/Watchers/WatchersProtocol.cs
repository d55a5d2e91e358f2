using System.Threading.Channels;
using Akka.Actor;
using Envd.Linux.Files;

namespace Envd.Actors.Watchers;

public enum WatchEventType
{
    Create,
    Write,
    Remove,
    Rename,
    Chmod,
}

/// <summary>One change under a watched directory; <see cref="Name"/> is relative to it (<c>.</c> for the directory itself).</summary>
public sealed record WatchEvent(string Name, WatchEventType Type, FileEntry? Entry = null);

/// <summary>Ends a watch stream when its watcher fails; the message is what the client is told.</summary>
public sealed class WatcherException(string message) : Exception(message);

public static class WatchersProtocol
{
    /// <param name="Path">An existing directory, already resolved for the user and checked by the caller.</param>
    /// <param name="IncludeEntry">Attach the entry's info to CREATE, WRITE and CHMOD events.</param>
    public sealed record WatchSpec(string Path, bool Recursive, bool IncludeEntry);

    /// <summary>Start a watcher that pushes its events into <paramref name="Events"/> until told to stop.</summary>
    public sealed record OpenWatchStream(WatchSpec Spec, ChannelWriter<WatchEvent> Events);

    /// <summary>Start a watcher that keeps its events until a client polls them.</summary>
    public sealed record CreateWatcher(WatchSpec Spec);

    public sealed record WatchStarted(string WatcherId, IActorRef Watcher);

    public sealed record WatchFailed(string Reason);

    /// <summary>Take (and clear) the events a polling watcher collected.</summary>
    public sealed record GetWatcherEvents(string WatcherId);

    /// <param name="Error">Set once the watcher has failed; from then on it is all the watcher answers.</param>
    public sealed record WatcherEventsResult(IReadOnlyList<WatchEvent> Events, string? Error);

    public sealed record RemoveWatcher(string WatcherId);

    public sealed record WatcherRemoved(string WatcherId);

    public sealed record WatcherNotFound(string WatcherId);

    /// <summary>The stream's client went away: stop watching.</summary>
    public sealed record StopWatch
    {
        public static readonly StopWatch Instance = new();

        private StopWatch()
        {
        }
    }
}
