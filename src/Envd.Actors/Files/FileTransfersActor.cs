using Akka.Actor;
using Akka.Event;
using static Envd.Actors.Files.FileTransferProtocol;

namespace Envd.Actors.Files;

/// <summary>
/// The parent of every file transfer: each request gets a <see cref="FileTransferActor"/> of its own, which replies to
/// the requester directly and stops when done.
/// </summary>
public sealed class FileTransfersActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string? _fileIoDispatcher;
    private long _started;

    public FileTransfersActor()
    {
        // Transfers run where the streams' file stages run, so waiting on the disk never holds up other actors.
        _fileIoDispatcher = Context.System.Settings.Config.GetString("akka.stream.materializer.blocking-io-dispatcher", null);
        Receive<ITransferCommand>(HandleTransfer);
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new FileTransfersActor());

    /// <summary>A half-read request body cannot be read again, so a failed transfer is stopped, never restarted.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(Decider.From(Directive.Stop));

    private void HandleTransfer(ITransferCommand command)
    {
        var props = FileTransferActor.Props();
        if (!string.IsNullOrEmpty(_fileIoDispatcher))
        {
            props = props.WithDispatcher(_fileIoDispatcher);
        }

        var kind = command switch
        {
            UploadFiles => "upload",
            OpenDownload => "download",
            _ => "compose",
        };
        var transfer = Context.ActorOf(props, $"{kind}-{++_started}");
        _log.Debug("Transfer {0} started as {1}", command.OperationId, transfer.Path.Name);
        transfer.Forward(command);
    }
}
