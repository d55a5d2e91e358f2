using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Envd.Linux.Files;
using static Envd.Actors.Files.FileTransferProtocol;

namespace Envd.Actors.Files;

/// <summary>
/// The parent of every file transfer: each request gets a <see cref="FileTransferActor"/> of its own, which replies to
/// the requester directly and stops when done.
/// </summary>
public sealed class FileTransfersActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Props _transfer;
    private long _started;

    public FileTransfersActor(StagingJournal journal)
    {
        // Built once: every transfer shares this materializer and these props, so a request creates one actor, not three.
        var props = FileTransferActor.Props(journal, Context.Materializer());

        // Transfers run where the streams' file stages run, so waiting on the disk never holds up other actors.
        var fileIoDispatcher = Context.System.Settings.Config.GetString("akka.stream.materializer.blocking-io-dispatcher", null);
        _transfer = string.IsNullOrEmpty(fileIoDispatcher) ? props : props.WithDispatcher(fileIoDispatcher);
        Receive<ITransferCommand>(HandleTransfer);
    }

    public static Props Props(StagingJournal journal) => Akka.Actor.Props.Create(() => new FileTransfersActor(journal));

    /// <summary>A half-read request body cannot be read again, so a failed transfer is stopped, never restarted.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(Decider.From(Directive.Stop));

    private void HandleTransfer(ITransferCommand command)
    {
        var kind = command switch
        {
            UploadFiles => "upload",
            OpenDownload => "download",
            _ => "compose",
        };
        var transfer = Context.ActorOf(_transfer, $"{kind}-{++_started}");
        _log.Debug("Transfer {0} started as {1}", command.OperationId, transfer.Path.Name);
        transfer.Forward(command);
    }
}
