namespace Envd.Actors.Files;

/// <summary>
/// The files of an upload request, in the order they arrive: the parts of a multipart body, or a raw body as its one
/// file. Each part's content must be read to its end before the next part is asked for.
/// </summary>
public interface IUploadBody
{
    /// <returns>The next file, or null when the body has no more.</returns>
    ValueTask<UploadPart?> NextPartAsync(CancellationToken cancellationToken);
}

/// <param name="FileName">Where the sender wants the part written when the request names no path (multipart only).</param>
public sealed record UploadPart(string? FileName, Stream Content);
