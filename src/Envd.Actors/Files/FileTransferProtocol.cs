using Envd.Linux.Users;

namespace Envd.Actors.Files;

public static class FileTransferProtocol
{
    /// <summary>A request the transfers parent hands to a <see cref="FileTransferActor"/> of its own.</summary>
    public interface ITransferCommand
    {
        /// <summary>The request's operation id; it names the child, so it must be unique among live transfers.</summary>
        long OperationId { get; }
    }

    /// <summary>
    /// Write every file of <paramref name="Body"/>: to <paramref name="Path"/> when the request names one, else to each
    /// part's file name; owned by <paramref name="User"/> and carrying <paramref name="Metadata"/>.
    /// </summary>
    /// <param name="ContentLength">The request's declared length, quoted when the disk fills up.</param>
    /// <param name="Aborted">Fires when the client goes away; the transfer stops reading and cleans up.</param>
    public sealed record UploadFiles(
        long OperationId,
        UserAccount User,
        string? DefaultWorkdir,
        string? Path,
        IUploadBody Body,
        IReadOnlyDictionary<string, string> Metadata,
        long? ContentLength,
        CancellationToken Aborted) : ITransferCommand;

    /// <summary>The files written, in part order, or why the upload stopped (files written before that stay).</summary>
    public sealed record UploadResult(IReadOnlyList<WrittenFile> Files, TransferFailure? Failure);

    public sealed record WrittenFile(string Path, string Name, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>Resolve <paramref name="Path"/> for <paramref name="User"/> and open it for reading.</summary>
    public sealed record OpenDownload(long OperationId, UserAccount User, string? DefaultWorkdir, string? Path) : ITransferCommand;

    /// <summary>The opened file (the receiver owns and disposes <see cref="DownloadableFile.Content"/>), or why not.</summary>
    public sealed record DownloadResult(DownloadableFile? File, TransferFailure? Failure);

    public sealed record DownloadableFile(string Path, string Name, FileStream Content, long Length, DateTimeOffset LastModified);

    /// <summary>Concatenate <paramref name="Sources"/> into <paramref name="Destination"/>, then delete the sources.</summary>
    public sealed record ComposeFiles(
        long OperationId,
        UserAccount User,
        string? DefaultWorkdir,
        IReadOnlyList<string> Sources,
        string Destination) : ITransferCommand;

    public sealed record ComposeResult(WrittenFile? File, TransferFailure? Failure);

    public sealed record TransferFailure(FailureKind Kind, string Message, Exception? Cause = null);

    public enum FailureKind
    {
        /// <summary>The request asks for something impossible: a bad path, a directory, a duplicate target.</summary>
        Invalid,
        NotFound,

        /// <summary>The request body could not be read or decoded (see the cause).</summary>
        UnreadableBody,

        /// <summary>The disk or the user's quota is full.</summary>
        NoSpace,

        /// <summary>The client went away first.</summary>
        Cancelled,
        Internal,
    }
}
