using Envd.Linux.Processes;
using Google.Protobuf;
using static Envd.Actors.Processes.ProcessProtocol;
using Wire = Envd.Contracts.Process;

namespace Envd.Web.Connect.Processes;

/// <summary>Translations between the process.proto messages and the process actors' protocol.</summary>
internal static class ProcessMessages
{
    public static Wire.ProcessEvent KeepAlive() => new() { Keepalive = new() };

    public static Wire.ProcessEvent ToMessage(Actors.Processes.ProcessEvent processEvent) => processEvent switch
    {
        Actors.Processes.ProcessEvent.Started started => new() { Start = new() { Pid = started.Pid } },
        Actors.Processes.ProcessEvent.Output output => new() { Data = Data(output) },
        Actors.Processes.ProcessEvent.Ended ended => new() { End = End(ended) },
        _ => throw new ArgumentOutOfRangeException(nameof(processEvent), processEvent, "unknown process event"),
    };

    /// <exception cref="ConnectException">unimplemented for an empty selector, as upstream answers.</exception>
    public static ProcessSelector Selector(Wire.ProcessSelector? selector) => selector?.SelectorCase switch
    {
        Wire.ProcessSelector.SelectorOneofCase.Pid => ProcessSelector.ByPid(selector.Pid),
        Wire.ProcessSelector.SelectorOneofCase.Tag => ProcessSelector.ByTag(selector.Tag),
        _ => throw new ConnectException(ConnectCode.Unimplemented, "invalid process selector: set either pid or tag"),
    };

    public static ProcessConfig Config(Wire.ProcessConfig config) =>
        new(config.Cmd, config.Args.ToList(), config.Envs.ToDictionary(), config.HasCwd ? config.Cwd : null);

    public static Wire.ProcessInfo ToMessage(ProcessInfo info)
    {
        var config = new Wire.ProcessConfig { Cmd = info.Config.Cmd };
        config.Args.AddRange(info.Config.Args);
        config.Envs.Add(info.Config.Envs.ToDictionary());
        if (info.Config.Cwd is not null)
        {
            config.Cwd = info.Config.Cwd;
        }

        var message = new Wire.ProcessInfo { Pid = info.Pid, Config = config };
        if (info.Tag is not null)
        {
            message.Tag = info.Tag;
        }

        return message;
    }

    /// <summary>The PTY size clients send as uint32 cells, clamped to what the kernel's winsize holds.</summary>
    public static TerminalSize Size(Wire.PTY.Types.Size? size) =>
        new((ushort)Math.Min(size?.Cols ?? 0, ushort.MaxValue), (ushort)Math.Min(size?.Rows ?? 0, ushort.MaxValue));

    public static ConnectException ToException(ProcessError error) => new(
        error.Code switch
        {
            ProcessErrorCode.InvalidArgument => ConnectCode.InvalidArgument,
            ProcessErrorCode.NotFound => ConnectCode.NotFound,
            ProcessErrorCode.Unknown => ConnectCode.Unknown,
            _ => ConnectCode.Internal,
        },
        error.Message);

    private static Wire.ProcessEvent.Types.DataEvent Data(Actors.Processes.ProcessEvent.Output output)
    {
        // The chunk is never written again once read, so the message can wrap it instead of copying.
        var bytes = UnsafeByteOperations.UnsafeWrap(output.Data);
        return output.Kind switch
        {
            OutputKind.Stdout => new() { Stdout = bytes },
            OutputKind.Stderr => new() { Stderr = bytes },
            _ => new() { Pty = bytes },
        };
    }

    private static Wire.ProcessEvent.Types.EndEvent End(Actors.Processes.ProcessEvent.Ended ended)
    {
        var end = new Wire.ProcessEvent.Types.EndEvent { ExitCode = ended.ExitCode, Exited = ended.Exited, Status = ended.Status };
        if (ended.Error is not null)
        {
            end.Error = ended.Error;
        }

        return end;
    }
}
