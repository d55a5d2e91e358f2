using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Envd.Actors.Init;
using Envd.Actors.Processes;
using Envd.Contracts.Process;
using Envd.Linux.Paths;
using Envd.Linux.Processes;
using static Envd.Actors.Processes.ProcessProtocol;
using ProcessSelector = Envd.Actors.Processes.ProcessProtocol.ProcessSelector;

namespace Envd.Web.Connect.Processes;

/// <summary>
/// The <c>process.Process</c> service: requests are checked and resolved here (user, cwd, environment), the processes
/// themselves live in the process actors. Output streams to the client straight from the process's hub.
/// </summary>
public sealed class ProcessRpc(InitSnapshot init, ProcessCgroups cgroups, IRequiredActor<ProcessSupervisor> processes, ActorSystem system)
{
    public const string Service = "process.Process";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public async Task Start(StartRequest request, ResponseStream<StartResponse> responses, ConnectCallContext context)
    {
        var user = context.RequireUser();
        var config = ProcessMessages.Config(request.Process ?? throw new ConnectException(ConnectCode.InvalidArgument, "process config is required"));
        var cwd = PathResolver.Resolve(config.Cwd, user.Home, init.Current.DefaultWorkdir);
        if (!cwd.IsOk)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"invalid cwd '{config.Cwd}': {cwd.Error}");
        }

        if (!Directory.Exists(cwd.Path))
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"cwd '{cwd.Path}' does not exist");
        }

        var tag = request.HasTag ? request.Tag : null;
        var spec = ProcessLaunchRules.Spec(
            config, user, cwd.Path, init.Current.Env, Environment.GetEnvironmentVariable("PATH"),
            request.Pty is null ? null : ProcessMessages.Size(request.Pty.Size),
            request.HasStdin ? request.Stdin : null,
            tag,
            cgroups);
        var started = await Subscribe(new StartProcess(spec, config, tag, context.Timeout), context);
        await Relay(started, e => responses.WriteAsync(new StartResponse { Event = e }), context);
    }

    public async Task Connect(ConnectRequest request, ResponseStream<ConnectResponse> responses, ConnectCallContext context)
    {
        var connected = await Subscribe(new ConnectProcess(ProcessMessages.Selector(request.Process)), context);
        await Relay(connected, e => responses.WriteAsync(new ConnectResponse { Event = e }), context);
    }

    public async Task<ListResponse> List(ListRequest request, ConnectCallContext context)
    {
        var result = await Ask<ProcessesResult>(GetProcesses.Instance, context);
        var response = new ListResponse();
        response.Processes.AddRange(result.Processes.Select(ProcessMessages.ToMessage));
        return response;
    }

    public async Task<UpdateResponse> Update(UpdateRequest request, ConnectCallContext context)
    {
        var selector = ProcessMessages.Selector(request.Process);
        if (request.Pty is not null)
        {
            ThrowIfFailed((await Ask<ProcessCommandResult>(new ResizeTerminal(selector, ProcessMessages.Size(request.Pty.Size)), context)).Error);
        }

        return new UpdateResponse();
    }

    public async Task<SendInputResponse> SendInput(SendInputRequest request, ConnectCallContext context)
    {
        var selector = ProcessMessages.Selector(request.Process);
        var (kind, data) = Input(request.Input);
        await WriteInput(await InputOf(selector, kind, context), kind, data, context);
        return new SendInputResponse();
    }

    /// <summary>The first message names the process; data then goes in order to its stdin or terminal.</summary>
    public async Task<StreamInputResponse> StreamInput(IAsyncEnumerable<StreamInputRequest> requests, ConnectCallContext context)
    {
        ProcessSelector? selector = null;
        var writers = new Dictionary<InputKind, InputWriter>();
        await foreach (var message in requests)
        {
            switch (message.EventCase)
            {
                case StreamInputRequest.EventOneofCase.Start:
                    selector = ProcessMessages.Selector(message.Start.Process);
                    writers.Clear();
                    break;
                case StreamInputRequest.EventOneofCase.Data:
                    if (selector is null)
                    {
                        throw new ConnectException(ConnectCode.FailedPrecondition, "error streaming input: the first message must be start with the process");
                    }

                    var (kind, data) = Input(message.Data.Input);
                    if (!writers.TryGetValue(kind, out var writer))
                    {
                        writer = writers[kind] = await InputOf(selector, kind, context);
                    }

                    await WriteInput(writer, kind, data, context);
                    break;
            }
        }

        return new StreamInputResponse();
    }

    public async Task<SendSignalResponse> SendSignal(SendSignalRequest request, ConnectCallContext context)
    {
        var selector = ProcessMessages.Selector(request.Process);
        var signal = request.Signal switch
        {
            Signal.Sigkill => SignalNames.Kill,
            Signal.Sigterm => SignalNames.Terminate,
            _ => throw new ConnectException(ConnectCode.Unimplemented, $"invalid signal: {request.Signal}"),
        };
        ThrowIfFailed((await Ask<ProcessCommandResult>(new SignalProcess(selector, signal), context)).Error);
        return new SendSignalResponse();
    }

    public async Task<CloseStdinResponse> CloseStdin(CloseStdinRequest request, ConnectCallContext context)
    {
        var selector = ProcessMessages.Selector(request.Process);
        ThrowIfFailed((await Ask<ProcessCommandResult>(new ProcessProtocol.CloseStdin(selector), context)).Error);
        return new CloseStdinResponse();
    }

    /// <summary>Copies the process's events to the response until the end, or until the client leaves or the deadline passes.</summary>
    private async Task Relay(ProcessSubscription subscription, Func<Contracts.Process.ProcessEvent, ValueTask> write, ConnectCallContext context)
    {
        await foreach (var processEvent in subscription.Events.RunAsAsyncEnumerable(system.Materializer()).WithCancellation(context.CancellationToken))
        {
            await write(ProcessMessages.ToMessage(processEvent));
        }

        // A cancelled enumeration just stops; the stream must then end with deadline_exceeded, not as a clean end.
        context.CancellationToken.ThrowIfCancellationRequested();
    }

    private static (InputKind Kind, ReadOnlyMemory<byte> Data) Input(ProcessInput? input) => input?.InputCase switch
    {
        ProcessInput.InputOneofCase.Stdin => (InputKind.Stdin, input.Stdin.Memory),
        ProcessInput.InputOneofCase.Pty => (InputKind.Pty, input.Pty.Memory),
        _ => throw new ConnectException(ConnectCode.Unimplemented, "invalid input: set either stdin or pty"),
    };

    private static async Task WriteInput(InputWriter writer, InputKind kind, ReadOnlyMemory<byte> data, ConnectCallContext context)
    {
        try
        {
            await writer.WriteAsync(data, context.CancellationToken);
        }
        catch (IOException e)
        {
            var target = kind == InputKind.Pty ? "tty" : "stdin";
            throw new ConnectException(ConnectCode.Internal, $"error writing to {target}: {e.Message}");
        }
    }

    private async Task<InputWriter> InputOf(ProcessSelector selector, InputKind kind, ConnectCallContext context)
    {
        var result = await Ask<ProcessInputResult>(new GetProcessInput(selector, kind), context);
        ThrowIfFailed(result.Error);
        return result.Input!;
    }

    private async Task<ProcessSubscription> Subscribe(object message, ConnectCallContext context)
    {
        var result = await Ask<SubscribeResult>(message, context);
        ThrowIfFailed(result.Error);
        return result.Subscription!;
    }

    private static void ThrowIfFailed(ProcessError? error)
    {
        if (error is not null)
        {
            throw ProcessMessages.ToException(error);
        }
    }

    /// <summary>The one Ask of a process RPC; the actors answer failures as data.</summary>
    private Task<T> Ask<T>(object message, ConnectCallContext context) =>
        processes.ActorRef.Ask<T>(message, AskTimeout, context.CancellationToken);
}
