using System.Threading.Channels;
using Akka.Actor;
using Envd.Actors.Watchers;
using Envd.Contracts.Filesystem;
using Envd.Linux.Files;
using Envd.Linux.Native;
using static Envd.Actors.Watchers.WatchersProtocol;

namespace Envd.Web.Connect.Filesystem;

/// <summary>WatchDir and the polling watchers: validation here, the watching itself in the watcher actors.</summary>
public sealed partial class FilesystemRpc
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How many events may wait for a slow client before its stream is ended with an error.</summary>
    private const int StreamBacklog = 16 * 1024;

    public async Task WatchDir(WatchDirRequest request, ResponseStream<WatchDirResponse> responses, ConnectCallContext context)
    {
        var spec = WatchTarget(request.Path, request.Recursive, request.IncludeEntry, request.AllowNetworkMounts, context);
        var events = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(StreamBacklog) { SingleReader = true, SingleWriter = true });
        var started = await Ask<WatchStarted>(new OpenWatchStream(spec, events.Writer), context);
        try
        {
            await responses.WriteAsync(new WatchDirResponse { Start = new() });
            await foreach (var change in events.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responses.WriteAsync(new WatchDirResponse { Filesystem = ToMessage(change) });
            }
        }
        catch (WatcherException e)
        {
            throw new ConnectException(ConnectCode.Internal, e.Message);
        }
        finally
        {
            started.Watcher.Tell(StopWatch.Instance);
        }
    }

    public async Task<CreateWatcherResponse> CreateWatcher(CreateWatcherRequest request, ConnectCallContext context)
    {
        var spec = WatchTarget(request.Path, request.Recursive, request.IncludeEntry, request.AllowNetworkMounts, context);
        var started = await Ask<WatchStarted>(new WatchersProtocol.CreateWatcher(spec), context);
        return new CreateWatcherResponse { WatcherId = started.WatcherId };
    }

    public async Task<GetWatcherEventsResponse> GetWatcherEvents(GetWatcherEventsRequest request, ConnectCallContext context)
    {
        var result = await Ask<WatcherEventsResult>(new WatchersProtocol.GetWatcherEvents(request.WatcherId), context);
        if (result.Error is not null)
        {
            throw new ConnectException(ConnectCode.Internal, result.Error);
        }

        var response = new GetWatcherEventsResponse();
        response.Events.AddRange(result.Events.Select(ToMessage));
        return response;
    }

    public async Task<RemoveWatcherResponse> RemoveWatcher(RemoveWatcherRequest request, ConnectCallContext context)
    {
        await Ask<WatcherRemoved>(new WatchersProtocol.RemoveWatcher(request.WatcherId), context);
        return new RemoveWatcherResponse();
    }

    /// <summary>The checks upstream makes before watching: the user's path must be an existing directory on a local filesystem.</summary>
    private WatchSpec WatchTarget(string requested, bool recursive, bool includeEntry, bool allowNetworkMounts, ConnectCallContext context)
    {
        var path = Resolve(requested, context.RequireUser());
        switch (FileStatus.TryStat(path))
        {
            case null:
                throw new ConnectException(ConnectCode.NotFound, $"path {path} not found");
            case { IsDirectory: false }:
                throw new ConnectException(ConnectCode.InvalidArgument, $"path {path} not a directory");
        }

        if (!allowNetworkMounts)
        {
            try
            {
                if (NetworkFilesystems.IsNetwork(NetworkFilesystems.Magic(path)))
                {
                    throw new ConnectException(ConnectCode.InvalidArgument, $"cannot watch path on network filesystem: {path}");
                }
            }
            catch (NativeErrorException e)
            {
                throw new ConnectException(ConnectCode.Internal, $"error checking the filesystem of {path}: {e.Message}");
            }
        }

        return new WatchSpec(path, recursive, includeEntry);
    }

    /// <summary>The one Ask of a watcher RPC; the watcher actors answer failures as data, mapped to Connect codes here.</summary>
    private async Task<T> Ask<T>(object message, ConnectCallContext context)
    {
        var reply = await watchers.ActorRef.Ask<object>(message, AskTimeout, context.CancellationToken);
        return reply switch
        {
            T expected => expected,
            WatchFailed failed => throw new ConnectException(ConnectCode.Internal, failed.Reason),
            WatcherNotFound missing => throw new ConnectException(ConnectCode.NotFound, $"watcher with id {missing.WatcherId} not found"),
            _ => throw new ConnectException(ConnectCode.Internal, $"unexpected watcher reply {reply.GetType().Name}"),
        };
    }

    private static FilesystemEvent ToMessage(WatchEvent change)
    {
        var message = new FilesystemEvent
        {
            Name = change.Name,
            Type = change.Type switch
            {
                WatchEventType.Create => EventType.Create,
                WatchEventType.Write => EventType.Write,
                WatchEventType.Remove => EventType.Remove,
                WatchEventType.Rename => EventType.Rename,
                _ => EventType.Chmod,
            },
        };
        if (change.Entry is not null)
        {
            message.Entry = change.Entry.ToMessage();
        }

        return message;
    }
}
