using System.Buffers;

namespace Envd.Actors.Files;

/// <summary>
/// A slice of a transfer in a pooled buffer. Whoever consumes it releases it, so steady uploads reuse the same few
/// buffers instead of allocating one per chunk.
/// </summary>
public sealed class FileChunk
{
    /// <summary>Large enough to keep per-chunk overhead small, small enough to stay off the large object heap.</summary>
    public const int Size = 64 * 1024;

    /// <summary>
    /// An upload holds one chunk at a time (see <see cref="FileChunkSink.Dispatcher"/>); a pool of its own keeps enough
    /// for 128 concurrent uploads (at most 8 MiB), where the shared one keeps 32 per core.
    /// </summary>
    internal static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(Size, maxArraysPerBucket: 128);

    private byte[]? _buffer;

    internal FileChunk(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            Buffers.Return(buffer);
        }
    }
}
