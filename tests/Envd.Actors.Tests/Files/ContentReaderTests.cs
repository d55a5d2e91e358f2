using Envd.Actors.Files;

namespace Envd.Actors.Tests.Files;

public sealed class ContentReaderTests
{
    [Theory]
    [InlineData(FileChunk.Size)]
    [InlineData(FileChunk.LargeSize)]
    public async Task Chunks_are_full_but_the_last_and_together_are_the_content_however_it_trickles_in(int chunkSize)
    {
        var content = Enumerable.Range(0, (2 * chunkSize) + 1234).Select(i => (byte)(i * 31)).ToArray();
        var reader = new ContentReader(new TricklingStream(content, 7_000), chunkSize);

        var lengths = new List<int>();
        var read = new MemoryStream();
        await foreach (var chunk in reader.ReadAllAsync())
        {
            lengths.Add(chunk.Length);
            read.Write(chunk.Span);
            chunk.Release();
        }

        Assert.Equal([chunkSize, chunkSize, 1234], lengths);
        Assert.Equal(content, read.ToArray());
        Assert.True(reader.Stopped.IsCompleted);
    }

    [Theory]
    [InlineData(0L, FileChunk.Size)]
    [InlineData(FileChunk.LargeFrom - 1, FileChunk.Size)]
    [InlineData(FileChunk.LargeFrom, FileChunk.LargeSize)]
    [InlineData(null, FileChunk.LargeSize)]
    public void Big_requests_and_those_of_unknown_length_get_large_chunks(long? contentLength, int expected)
    {
        Assert.Equal(expected, FileChunk.SizeFor(contentLength));
    }

    /// <summary>Hands out at most <paramref name="piece"/> bytes a read, as a socket does.</summary>
    private sealed class TricklingStream(byte[] content, int piece) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);
    }
}
