using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>A chunked request body the test writes piece by piece, each piece flushed to the socket at once.</summary>
public sealed class PushContent : HttpContent
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();

    public PushContent(string contentType) => Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

    public ValueTask WriteAsync(byte[] chunk) => _chunks.Writer.WriteAsync(chunk);

    public void Complete() => _chunks.Writer.Complete();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await foreach (var chunk in _chunks.Reader.ReadAllAsync())
        {
            await stream.WriteAsync(chunk);
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
