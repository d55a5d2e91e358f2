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
            .Unary<RemoveRequest, RemoveResponse>("Remove", s => s.Remove));
}
