using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Envd.Linux.Files;
using Envd.Linux.Native;
using Envd.Linux.Watching;
using static Envd.Actors.Watchers.WatchersProtocol;

namespace Envd.Actors.Watchers;

/// <summary>
/// Watches one directory (and, when recursive, every directory below it, including ones created later) through its
/// own inotify instance. A dedicated thread blocks on inotify and tells this actor each batch. Events go to the
/// stream's channel, or are kept for a client to poll.
/// </summary>
public sealed class DirectoryWatchActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _id;
    private readonly WatchSpec _spec;
    private readonly FileEntries _entries;
    private readonly ChannelWriter<WatchEvent>? _stream;
    private readonly IActorRef _replyTo;
    private readonly CancellationToken _streamEnded;
    private readonly List<WatchEvent> _pending = [];
    private readonly HashSet<uint> _committingUploads = [];
    private CancellationTokenRegistration _streamEndedRegistration;
    private Inotify? _inotify;
    private WatchTree _tree;
    private string? _error;

    public DirectoryWatchActor(string id, WatchSpec spec, FileEntries entries, ChannelWriter<WatchEvent>? stream, IActorRef replyTo, CancellationToken streamEnded)
    {
        _id = id;
        _spec = spec;
        _entries = entries;
        _stream = stream;
        _replyTo = replyTo;
        _streamEnded = streamEnded;
        _tree = WatchTree.For(spec.Path);
        Receive<InotifyBatch>(HandleBatch);
        Receive<InotifyFailed>(HandleInotifyFailed);
        Receive<GetWatcherEvents>(HandleGetEvents);
        Receive<StopWatch>(HandleStopWatch);
    }

    /// <param name="stream">Where events go as they happen; null for a polling watcher that keeps them.</param>
    /// <param name="replyTo">Told <see cref="WatchStarted"/> or <see cref="WatchFailed"/> once the watches are in place.</param>
    /// <param name="streamEnded">Fires when the stream's request is over; a watcher whose client is gone stops itself.</param>
    public static Props Props(string id, WatchSpec spec, FileEntries entries, ChannelWriter<WatchEvent>? stream, IActorRef replyTo, CancellationToken streamEnded) =>
        Akka.Actor.Props.Create(() => new DirectoryWatchActor(id, spec, entries, stream, replyTo, streamEnded));

    protected override void PreStart()
    {
        try
        {
            _inotify = new Inotify();
            _tree = _tree.Add(_inotify.AddWatch(_spec.Path, InotifyMask.OnlyDir), string.Empty);
            if (_spec.Recursive)
            {
                AddChildren(string.Empty, announce: false);
            }
        }
        catch (Exception e) when (e is NativeErrorException or IOException or UnauthorizedAccessException)
        {
            _log.Warning("Watch {0} on {1} failed to start: {2}", _id, _spec.Path, e.Message);
            _inotify?.Dispose();
            _inotify = null;
            _replyTo.Tell(new WatchFailed($"error watching {_spec.Path}: {e.Message}"));
            Context.Stop(Self);
            return;
        }

        StartReader(_inotify, Self);

        // A client that left while the watch was starting never learns its ref and so never says stop.
        var self = Self;
        _streamEndedRegistration = _streamEnded.Register(() => self.Tell(StopWatch.Instance));
        _log.Info("Watch {0} on {1} started (recursive: {2}, {3})", _id, _spec.Path, _spec.Recursive, _stream is null ? "polling" : "stream");
        _replyTo.Tell(new WatchStarted(_id, Self));
    }

    protected override void PostStop()
    {
        _streamEndedRegistration.Dispose();
        // The reader thread owns the instance once started: stopping it wakes the thread, which then closes it.
        _inotify?.Stop();
        _stream?.TryComplete();
        _log.Info("Watch {0} on {1} stopped", _id, _spec.Path);
    }

    private static void StartReader(Inotify inotify, IActorRef self)
    {
        var reader = new Thread(() =>
        {
            try
            {
                while (inotify.ReadBatch() is { } batch)
                {
                    self.Tell(new InotifyBatch(batch));
                }
            }
            catch (Exception e) when (e is NativeErrorException or ObjectDisposedException)
            {
                self.Tell(new InotifyFailed(e.Message));
            }
            finally
            {
                inotify.Dispose();
            }
        })
        {
            IsBackground = true,
            Name = "envd-inotify",
        };
        reader.Start();
    }

    private void HandleBatch(InotifyBatch batch)
    {
        foreach (var raw in batch.Events)
        {
            if (_error is not null)
            {
                return;
            }

            if (raw.Has(InotifyMask.QueueOverflow))
            {
                Fail("inotify event queue overflow");
                return;
            }

            if (raw.Has(InotifyMask.Ignored))
            {
                _tree = _tree.Remove(raw.Wd);
                continue;
            }

            if (WatchRules.IsStagedUpload(raw.Name))
            {
                // Its rename over the target arrives next under the same cookie, as the target's own MovedTo.
                if (raw.Has(InotifyMask.MovedFrom))
                {
                    _committingUploads.Add(raw.Cookie);
                }

                continue;
            }

            var changes = raw.Has(InotifyMask.MovedTo) && _committingUploads.Remove(raw.Cookie)
                ? WatchRules.UploadCommitted(_tree, raw)
                : WatchRules.Translate(_tree, raw);
            foreach (var change in changes)
            {
                Deliver(change);
            }

            if (_spec.Recursive && raw.Has(InotifyMask.IsDir) && raw.Name.Length > 0 && _tree.Directories.TryGetValue(raw.Wd, out var parent))
            {
                Follow(WatchTree.Join(parent, raw.Name), raw);
            }
        }
    }

    /// <summary>Keeps the recursive watch in step with directories that move in, appear, or move away.</summary>
    private void Follow(string directory, InotifyEvent raw)
    {
        if (raw.Has(InotifyMask.MovedFrom))
        {
            foreach (var wd in _tree.WatchesUnder(directory))
            {
                _inotify?.RemoveWatch(wd);
                _tree = _tree.Remove(wd);
            }
        }

        if (!raw.Has(InotifyMask.Create | InotifyMask.MovedTo))
        {
            return;
        }

        try
        {
            // What is already inside a directory that just appeared is announced here: inotify never will.
            WatchDirectory(directory, announce: true);
        }
        catch (Exception e) when (e is NativeErrorException or IOException or UnauthorizedAccessException)
        {
            Fail(e.Message);
        }
    }

    /// <summary>Watches a directory and, below it, every subdirectory; entries that vanish meanwhile are skipped.</summary>
    /// <exception cref="NativeErrorException">A watch could not be added, e.g. the inotify watch limit was reached.</exception>
    private void WatchDirectory(string directory, bool announce)
    {
        try
        {
            _tree = _tree.Add(_inotify!.AddWatch(_tree.FullPath(directory), InotifyMask.OnlyDir | InotifyMask.DontFollow), directory);
        }
        catch (NativeErrorException e) when (e.IsNotFound)
        {
            return;
        }

        AddChildren(directory, announce);
    }

    private void AddChildren(string directory, bool announce)
    {
        List<string> names;
        try
        {
            names = Directory.EnumerateFileSystemEntries(_tree.FullPath(directory)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }

        foreach (var name in names)
        {
            var child = WatchTree.Join(directory, name);
            if (announce)
            {
                Deliver(new WatchEvent(child, WatchEventType.Create));
            }

            if (FileStatus.TryLstat(_tree.FullPath(child)) is { IsDirectory: true })
            {
                WatchDirectory(child, announce);
            }
        }
    }

    private void Deliver(WatchEvent change)
    {
        if (_spec.IncludeEntry && WatchRules.CarriesEntry(change.Type))
        {
            change = change with { Entry = ReadEntry(_tree.FullPath(change.Name)) };
        }

        if (_stream is null)
        {
            _pending.Add(change);
        }
        else if (!_stream.TryWrite(change))
        {
            Fail("the client is not reading events fast enough");
        }
    }

    private FileEntry? ReadEntry(string path)
    {
        try
        {
            return _entries.Read(path);
        }
        catch (NativeErrorException)
        {
            return null;
        }
    }

    private void HandleInotifyFailed(InotifyFailed failed) => Fail(failed.Reason);

    private void HandleStopWatch(StopWatch _) => Context.Stop(Self);

    private void HandleGetEvents(GetWatcherEvents _)
    {
        Sender.Tell(new WatcherEventsResult(_pending.ToList(), _error));
        _pending.Clear();
    }

    private void Fail(string reason)
    {
        _log.Warning("Watch {0} on {1} failed: {2}", _id, _spec.Path, reason);
        _error = $"watcher error: {reason}";
        if (_stream is not null)
        {
            _stream.TryComplete(new WatcherException(_error));
            Context.Stop(Self);
            return;
        }

        _inotify?.Stop();
    }

    private sealed record InotifyBatch(IReadOnlyList<InotifyEvent> Events);

    private sealed record InotifyFailed(string Reason);
}
