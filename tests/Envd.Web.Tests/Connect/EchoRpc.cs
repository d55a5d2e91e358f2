using Envd.Contracts.Filesystem;
using Envd.Web.Connect;
using Microsoft.AspNetCore.Routing;

namespace Envd.Web.Tests.Connect;

/// <summary>What the echo service saw, so tests can assert on the server side of a call.</summary>
public sealed class EchoProbe
{
    public TaskCompletionSource<bool> Canceled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource FirstMessageReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A Connect service made only for transport tests; the request's path picks the behaviour.</summary>
public sealed class EchoRpc(EchoProbe probe)
{
    public const string Service = "test.Echo";

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapConnectService<EchoRpc>(Service, rpc => rpc
            .Unary<WatchDirRequest, StatResponse>("Echo", s => s.Echo)
            .ServerStream<WatchDirRequest, WatchDirResponse>("Count", s => s.Count, () => new WatchDirResponse { Keepalive = new() })
            .ClientStream<StatRequest, ListDirResponse>("Collect", s => s.Collect));

    private async Task<StatResponse> Echo(WatchDirRequest request, ConnectCallContext context)
    {
        switch (request.Path)
        {
            case "not-found":
                throw new ConnectException(ConnectCode.NotFound, "no such thing");
            case "crash":
                throw new InvalidOperationException("boom");
            case "wait":
                await WaitForCancellation(context);
                break;
            case "user":
                return new StatResponse { Entry = new EntryInfo { Name = context.RequireUser().Name } };
        }

        return new StatResponse
        {
            Entry = new EntryInfo
            {
                Name = request.Path,
                Size = 1L << 40,
                Type = FileType.Directory,
                Owner = context.Timeout?.TotalMilliseconds.ToString() ?? "",
                Permissions = request.IncludeEntry ? "include" : "",
            },
        };
    }

    private async Task Count(WatchDirRequest request, ResponseStream<WatchDirResponse> responses, ConnectCallContext context)
    {
        if (request.Path == "fail-first")
        {
            throw new ConnectException(ConnectCode.NotFound, "nothing to watch");
        }

        await responses.WriteAsync(new WatchDirResponse { Start = new() });
        switch (request.Path)
        {
            case "hold":
                await probe.Release.Task.WaitAsync(context.CancellationToken);
                break;
            case "wait":
                await WaitForCancellation(context);
                break;
            case "last-word":
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    await responses.WriteAsync(new WatchDirResponse { Filesystem = new FilesystemEvent { Name = "after-deadline" } });
                    throw;
                }

                break;
            case "fail-later":
                throw new ConnectException(ConnectCode.Internal, "watcher error: overflow");
            default:
                for (var i = 0; i < int.Parse(request.Path); i++)
                {
                    await responses.WriteAsync(new WatchDirResponse { Filesystem = new FilesystemEvent { Name = $"f{i}", Type = EventType.Create } });
                }

                break;
        }
    }

    private async Task<ListDirResponse> Collect(IAsyncEnumerable<StatRequest> requests, ConnectCallContext context)
    {
        var response = new ListDirResponse();
        await foreach (var request in requests)
        {
            probe.FirstMessageReceived.TrySetResult();
            response.Entries.Add(new EntryInfo { Name = request.Path });
        }

        return response;
    }

    private async Task WaitForCancellation(ConnectCallContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.Canceled.TrySetResult(context.RequestAborted.IsCancellationRequested);
            throw;
        }
    }
}
