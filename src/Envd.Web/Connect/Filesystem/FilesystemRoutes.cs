using Envd.Contracts.Filesystem;

namespace Envd.Web.Connect.Filesystem;

public static class FilesystemRoutes
{
    public static IEndpointRouteBuilder MapFilesystemRpc(this IEndpointRouteBuilder routes) =>
        routes.MapConnectService<FilesystemRpc>(FilesystemRpc.Service, rpc => rpc
            .Unary<StatRequest, StatResponse>("Stat", s => s.Stat)
            .Unary<MakeDirRequest, MakeDirResponse>("MakeDir", s => s.MakeDir)
            .Unary<MoveRequest, MoveResponse>("Move", s => s.Move)
            .Unary<ListDirRequest, ListDirResponse>("ListDir", s => s.ListDir)
            .Unary<RemoveRequest, RemoveResponse>("Remove", s => s.Remove)
            .ServerStream<WatchDirRequest, WatchDirResponse>("WatchDir", s => s.WatchDir, () => new WatchDirResponse { Keepalive = new() })
            .Unary<CreateWatcherRequest, CreateWatcherResponse>("CreateWatcher", s => s.CreateWatcher)
            .Unary<GetWatcherEventsRequest, GetWatcherEventsResponse>("GetWatcherEvents", s => s.GetWatcherEvents)
            .Unary<RemoveWatcherRequest, RemoveWatcherResponse>("RemoveWatcher", s => s.RemoveWatcher));
}
