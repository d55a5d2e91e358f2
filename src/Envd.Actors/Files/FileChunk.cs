using System.Buffers;
using System.Runtime.CompilerServices;

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
    /// Chunks are rented on the socket's threads and returned on the disk's, which defeats the shared pool's per-thread
    /// caching; a pool of its own keeps enough buffers for 64 concurrent transfers (at most 8 MiB).
    /// </summary>
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(Size, maxArraysPerBucket: 128);

    private byte[]? _buffer;

    private FileChunk(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>Reads <paramref name="content"/> to its end in chunks of <see cref="Size"/> bytes (the last one shorter).</summary>
    public static async IAsyncEnumerable<FileChunk> ReadAllAsync(Stream content, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffer = Buffers.Rent(Size);
            var filled = 0;
            try
            {
                int read;
                while (filled < Size && (read = await content.ReadAsync(buffer.AsMemory(filled, Size - filled), cancellationToken)) > 0)
                {
                    filled += read;
                }
            }
            catch
            {
                Buffers.Return(buffer);
                throw;
            }

            if (filled == 0)
            {
                Buffers.Return(buffer);
                yield break;
            }

            yield return new FileChunk(buffer, filled);
        }
    }

    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            Buffers.Return(buffer);
        }
    }
}
