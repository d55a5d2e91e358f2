using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Envd.Linux.Files;
using Envd.Linux.Native;
using Envd.Linux.Paths;
using static Envd.Actors.Files.FileTransferProtocol;

namespace Envd.Actors.Files;

/// <summary>
/// Serves one file request and stops. An upload streams each part of the body into a <see cref="StagedFile"/> beside
/// its target and renames it over the target only when complete; whatever ends the transfer early (a failure, the
/// client leaving, the actor being stopped) deletes the staged file and leaves the target as it was. Runs on the
/// file-I/O dispatcher, since every step here waits on the disk.
/// </summary>
public sealed class FileTransferActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<WrittenFile> _written = [];
    private readonly StagingJournal _journal;
    private readonly IMaterializer _materializer;
    private UniqueKillSwitch? _killSwitch;
    private IActorRef _client = ActorRefs.Nobody;
    private Func<TransferFailure, object>? _failureReply;
    private UploadFiles? _upload;
    private CancellationTokenSource? _cancellation;
    private StagedFile? _staged;
    private string? _stagedPath;
    private ContentReader? _reader;

    public FileTransferActor(StagingJournal journal, IMaterializer materializer)
    {
        _journal = journal;
        _materializer = materializer;
        Receive<UploadFiles>(HandleUploadFiles);
        Receive<OpenDownload>(HandleOpenDownload);
        Receive<ComposeFiles>(HandleComposeFiles);
    }

    /// <param name="journal">Where staged files are noted, so a restart can remove those a crash left behind.</param>
    /// <param name="materializer">
    /// Runs the upload streams; shared by all transfers, since one per transfer costs an actor and its settings per
    /// request.
    /// </param>
    public static Props Props(StagingJournal journal, IMaterializer materializer) =>
        Akka.Actor.Props.Create(() => new FileTransferActor(journal, materializer));

    protected override void PostStop()
    {
        // A stream still running belongs to the shared materializer, not to this actor: stop it here.
        _killSwitch?.Abort(new OperationCanceledException("file transfer stopped"));
        _cancellation?.Cancel();
        _cancellation?.Dispose();
        DiscardStaged();
        if (_failureReply is not null)
        {
            _client.Tell(_failureReply(new TransferFailure(FailureKind.Internal, "file transfer stopped unexpectedly")));
        }
    }

    private void HandleUploadFiles(UploadFiles command)
    {
        _client = Sender;
        _upload = command;
        _failureReply = failure => new UploadResult(_written.ToList(), failure);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(command.Aborted);
        Become(Uploading);
        RequestNextPart();
    }

    private void Uploading()
    {
        Receive<PartArrived>(HandlePartArrived);
        Receive<PartStreamed>(HandlePartStreamed);
        Receive<PartFailed>(HandlePartFailed);
        Receive<ReadingStopped>(message => Fail(message.Failure));
        Receive<BodyEnded>(_ => Finish(new UploadResult(_written.ToList(), null)));
    }

    private void RequestNextPart()
    {
        // Body reads are never cancelled here (see ContentReader): the request's own end stops them.
        _upload!.Body.NextPartAsync(CancellationToken.None).AsTask().PipeTo(
            Self,
            success: part => part is null ? BodyEnded.Instance : new PartArrived(part),
            failure: e => new PartFailed(e));
    }

    private void HandlePartArrived(PartArrived message)
    {
        var upload = _upload!;
        var requested = upload.Path ?? message.Part.FileName;
        if (requested is null)
        {
            Fail(FailureKind.Invalid, "error getting multipart custom part file name: filename not found in Content-Disposition header");
            return;
        }

        var resolution = PathResolver.Resolve(requested, upload.User.Home, upload.DefaultWorkdir);
        if (!resolution.IsOk)
        {
            Fail(FailureKind.Invalid, resolution.Error!);
            return;
        }

        var path = resolution.Path;
        if (_written.Any(f => f.Path == path))
        {
            Fail(FailureKind.Invalid, UploadRules.DuplicateTarget(path, _written));
            return;
        }

        var failure = Stage(path, upload.User.Uid, upload.User.Gid);
        if (failure is not null)
        {
            Fail(failure);
            return;
        }

        var reader = new ContentReader(message.Part.Content, FileChunk.SizeFor(upload.ContentLength));
        _reader = reader;

        var (killSwitch, written) = Source.From(reader.ReadAllAsync)
            .ViaMaterialized(KillSwitches.Single<FileChunk>(), Keep.Right)
            .ToMaterialized(new FileChunkSink(_staged!.Handle), Keep.Both)
            .AddAttributes(FileChunkSink.Dispatcher)
            .Run(_materializer);
        _killSwitch = killSwitch;
        written.PipeTo(Self, success: bytes => new PartStreamed(bytes), failure: e => new PartFailed(e));
    }

    /// <summary>Creates the missing parent directories and the staged file for <paramref name="path"/>.</summary>
    private TransferFailure? Stage(string path, uint uid, uint gid)
    {
        if (path.EndsWith('/') || Directory.Exists(path))
        {
            return new TransferFailure(FailureKind.Invalid, $"path is a directory: {path}");
        }

        try
        {
            Directories.Ensure(Path.GetDirectoryName(path) ?? "/", uid, gid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return StorageErrors.IsNoSpace(e)
                ? new TransferFailure(FailureKind.NoSpace, $"not enough disk space available: {e.Message}")
                : new TransferFailure(FailureKind.Internal, $"error ensuring directories: {e.Message}");
        }

        try
        {
            _staged = StagedFile.Create(path, _journal);
            _stagedPath = path;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return StorageErrors.IsNoSpace(e)
                ? new TransferFailure(FailureKind.NoSpace, $"not enough inodes available: {e.Message}")
                : new TransferFailure(FailureKind.Internal, $"error opening file: {e.Message}");
        }
    }

    private void HandlePartStreamed(PartStreamed message)
    {
        var upload = _upload!;
        var path = _stagedPath!;
        _reader = null;
        _killSwitch = null;
        try
        {
            var metadata = _staged!.Commit(upload.User.Uid, upload.User.Gid, upload.Metadata);
            _written.Add(new WrittenFile(path, Path.GetFileName(path), metadata));
            _log.Debug("File write {0}: {1} bytes to {2} as {3}", upload.OperationId, message.Bytes, path, upload.User.Name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(StorageErrors.IsNoSpace(e)
                ? new TransferFailure(FailureKind.NoSpace, "not enough disk space available", e)
                : new TransferFailure(FailureKind.Internal, $"error writing file: {e.Message}", e));
            return;
        }
        finally
        {
            DiscardStaged();
        }

        RequestNextPart();
    }

    private void HandlePartFailed(PartFailed message)
    {
        var failure = Classify(message.Error);
        var reader = _reader;
        _reader = null;
        _killSwitch = null;
        if (reader is null)
        {
            Fail(failure);
            return;
        }

        // Answering lets the request end, so first wait until nothing reads its body any more.
        reader.Stopped.PipeTo(Self, success: () => new ReadingStopped(failure));
    }

    private TransferFailure Classify(Exception failure)
    {
        var error = failure is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : failure;
        if (_cancellation!.IsCancellationRequested)
        {
            return new TransferFailure(FailureKind.Cancelled, "the client went away before the upload completed", error);
        }

        if (error is FileWriteException write)
        {
            if (!StorageErrors.IsNoSpace(write.InnerException!))
            {
                return new TransferFailure(FailureKind.Internal, $"error writing file: {error.Message}", error);
            }

            var attempted = _upload!.ContentLength > 0 ? $"attempted to write {_upload.ContentLength} bytes: " : string.Empty;
            return new TransferFailure(FailureKind.NoSpace, attempted + "not enough disk space available", error);
        }

        return new TransferFailure(FailureKind.UnreadableBody, $"error reading request body: {error.Message}", error);
    }

    private void HandleOpenDownload(OpenDownload command)
    {
        var result = Open(command);
        _log.Debug("File read {0}: {1} as {2}: {3}", command.OperationId, command.Path, command.User.Name, result.Failure?.Kind.ToString() ?? "opened");
        Sender.Tell(result);
        Context.Stop(Self);
    }

    private static DownloadResult Open(OpenDownload command)
    {
        var resolution = PathResolver.Resolve(command.Path, command.User.Home, command.DefaultWorkdir);
        if (!resolution.IsOk)
        {
            return new DownloadResult(null, new TransferFailure(FailureKind.Invalid, resolution.Error!));
        }

        var path = resolution.Path;
        if (Directory.Exists(path))
        {
            return new DownloadResult(null, new TransferFailure(FailureKind.Invalid, $"path '{path}' is a directory"));
        }

        try
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            var file = new DownloadableFile(
                path,
                Path.GetFileName(path),
                new FileStream(handle, FileAccess.Read, bufferSize: 0, isAsync: true),
                RandomAccess.GetLength(handle),
                File.GetLastWriteTimeUtc(handle));
            return new DownloadResult(file, null);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new DownloadResult(null, new TransferFailure(FailureKind.NotFound, $"path '{path}' does not exist"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DownloadResult(null, new TransferFailure(FailureKind.Internal, $"error opening file: {e.Message}", e));
        }
    }

    private void HandleComposeFiles(ComposeFiles command)
    {
        _client = Sender;
        _failureReply = failure => new ComposeResult(null, failure);
        Finish(Compose(command));
    }

    private ComposeResult Compose(ComposeFiles command)
    {
        var destination = PathResolver.Resolve(command.Destination, command.User.Home, command.DefaultWorkdir);
        if (!destination.IsOk)
        {
            return Failed(FailureKind.Invalid, destination.Error!);
        }

        var sources = new List<string>(command.Sources.Count);
        foreach (var given in command.Sources)
        {
            var source = PathResolver.Resolve(given, command.User.Home, command.DefaultWorkdir);
            if (!source.IsOk)
            {
                return Failed(FailureKind.Invalid, source.Error!);
            }

            if (source.Path == destination.Path)
            {
                return Failed(FailureKind.Invalid, $"source path cannot be the same as the destination: {given}");
            }

            if (Directory.Exists(source.Path))
            {
                return Failed(FailureKind.Invalid, $"source is not a regular file: {given}");
            }

            if (!File.Exists(source.Path))
            {
                return Failed(FailureKind.NotFound, $"source file not found: {given}");
            }

            sources.Add(source.Path);
        }

        var path = destination.Path;
        var failure = Stage(path, command.User.Uid, command.User.Gid);
        if (failure is not null)
        {
            return new ComposeResult(null, failure);
        }

        try
        {
            long offset = 0;
            foreach (var source in sources)
            {
                FileConcatenation.Append(_staged!.Handle, ref offset, source);
            }

            _staged!.Commit(command.User.Uid, command.User.Gid, new Dictionary<string, string>());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return StorageErrors.IsNoSpace(e)
                ? Failed(FailureKind.NoSpace, "not enough disk space available")
                : Failed(FailureKind.Internal, $"error composing files: {e.Message}");
        }
        finally
        {
            DiscardStaged();
        }

        foreach (var source in sources)
        {
            TryDelete(source);
        }

        _log.Debug("Compose {0}: {1} files into {2}", command.OperationId, sources.Count, path);
        return new ComposeResult(new WrittenFile(path, Path.GetFileName(path), new Dictionary<string, string>()), null);

        static ComposeResult Failed(FailureKind kind, string message) => new(null, new TransferFailure(kind, message));
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Could not delete composed source {0}: {1}", path, e.Message);
        }
    }

    private void Fail(FailureKind kind, string message, Exception? cause = null) => Fail(new TransferFailure(kind, message, cause));

    private void Fail(TransferFailure failure)
    {
        if (failure.Kind is not FailureKind.Cancelled)
        {
            _log.Warning("File write {0} failed ({1}): {2}", _upload?.OperationId, failure.Kind, failure.Message);
        }

        Finish(_failureReply!(failure));
    }

    /// <summary>Replies once, with nothing staged left behind, and stops (which cancels any stream still running).</summary>
    private void Finish(object result)
    {
        _cancellation?.Cancel();
        DiscardStaged();
        _client.Tell(result);
        _failureReply = null;
        Context.Stop(Self);
    }

    private void DiscardStaged()
    {
        try
        {
            _staged?.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Could not remove staged file {0}: {1}", _staged?.Path, e.Message);
        }

        _staged = null;
        _stagedPath = null;
    }

    private sealed record PartArrived(UploadPart Part);

    private sealed record PartStreamed(long Bytes);

    private sealed record PartFailed(Exception Error);

    private sealed record ReadingStopped(TransferFailure Failure);

    private sealed class BodyEnded
    {
        public static readonly BodyEnded Instance = new();

        private BodyEnded()
        {
        }
    }
}
