using Envd.Actors.Files;
using Envd.Web.Http;

namespace Envd.Web.Endpoints;

/// <summary>The <c>file</c> parts of a <c>multipart/form-data</c> body, read in order as they arrive.</summary>
internal sealed class MultipartUploadBody(MultipartBodyReader reader) : IUploadBody
{
    public const string FilePartName = "file";

    public async ValueTask<UploadPart?> NextPartAsync(CancellationToken cancellationToken)
    {
        while (await reader.NextPartAsync(cancellationToken) is { } section)
        {
            var part = ContentDisposition.ParseFormData(section.ContentDisposition);
            if (part?.Name == FilePartName)
            {
                return new UploadPart(part.FileName, section.Content);
            }
        }

        return null;
    }

    /// <summary>Gives back the read buffers, once nothing reads the body any more; the request stream stays open.</summary>
    public void Complete() => reader.Complete();
}

/// <summary>An <c>application/octet-stream</c> body: the whole body is the one file.</summary>
internal sealed class RawUploadBody(Stream content) : IUploadBody
{
    private bool _taken;

    public ValueTask<UploadPart?> NextPartAsync(CancellationToken cancellationToken)
    {
        if (_taken)
        {
            return ValueTask.FromResult<UploadPart?>(null);
        }

        _taken = true;
        return ValueTask.FromResult<UploadPart?>(new UploadPart(null, content));
    }
}
