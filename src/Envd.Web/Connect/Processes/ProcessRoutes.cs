using Envd.Contracts.Process;

namespace Envd.Web.Connect.Processes;

public static class ProcessRoutes
{
    public static IEndpointRouteBuilder MapProcessRpc(this IEndpointRouteBuilder routes) =>
        routes.MapConnectService<ProcessRpc>(ProcessRpc.Service, rpc => rpc
            .Unary<ListRequest, ListResponse>("List", s => s.List)
            .ServerStream<ConnectRequest, ConnectResponse>("Connect", s => s.Connect, () => new ConnectResponse { Event = ProcessMessages.KeepAlive() })
            .ServerStream<StartRequest, StartResponse>("Start", s => s.Start, () => new StartResponse { Event = ProcessMessages.KeepAlive() })
            .Unary<UpdateRequest, UpdateResponse>("Update", s => s.Update)
            .ClientStream<StreamInputRequest, StreamInputResponse>("StreamInput", s => s.StreamInput)
            .Unary<SendInputRequest, SendInputResponse>("SendInput", s => s.SendInput)
            .Unary<SendSignalRequest, SendSignalResponse>("SendSignal", s => s.SendSignal)
            .Unary<CloseStdinRequest, CloseStdinResponse>("CloseStdin", s => s.CloseStdin));
}
