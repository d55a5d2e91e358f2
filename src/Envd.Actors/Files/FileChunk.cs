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
            var buffer = ArrayPool<byte>.Shared.Rent(Size);
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
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            if (filled == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
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
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
