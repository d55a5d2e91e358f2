using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Processes;

/// <summary>The parent's end of a child's stdout or stderr pipe, or its PTY master: read asynchronously, once.</summary>
public sealed class OutputReader : IDisposable
{
    private readonly FileDescriptor _fd;
    private readonly Readiness _readable;
    private readonly int _chunkSize;

    internal OutputReader(FdPoller poller, FileDescriptor fd, OutputKind kind, int chunkSize)
    {
        _fd = fd;
        _readable = poller.Watch(fd, writable: false);
        _chunkSize = chunkSize;
        Kind = kind;
    }

    public OutputKind Kind { get; }

    /// <summary>
    /// Every chunk until EOF (or EIO, which is how a PTY master reports that the last slave fd closed). Once
    /// <paramref name="drain"/> is cancelled it stops waiting for more: what is already buffered is still returned.
    /// The fd is closed when the enumeration ends.
    /// </summary>
    public async IAsyncEnumerable<byte[]> ReadAllAsync(CancellationToken drain, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var waitEnds = CancellationTokenSource.CreateLinkedTokenSource(drain, cancellation);
        var buffer = new byte[_chunkSize];
        try
        {
            while (true)
            {
                var count = TryRead(buffer);
                if (count > 0)
                {
                    yield return buffer.AsSpan(0, count).ToArray();
                    continue;
                }

                if (count == 0 || drain.IsCancellationRequested)
                {
                    yield break;
                }

                try
                {
                    await _readable.WaitAsync(waitEnds.Token);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    // Draining: one more pass returns whatever is still buffered, then the loop ends.
                }
            }
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        _readable.Dispose();
        _fd.Dispose();
    }

    /// <summary>Bytes read; 0 at end of output; -1 when nothing is available yet.</summary>
    private unsafe int TryRead(byte[] buffer)
    {
        using var fd = _fd.Acquire();
        while (true)
        {
            nint count;
            fixed (byte* data = buffer)
            {
                count = Libc.read(fd.Number, data, buffer.Length);
            }

            if (count >= 0)
            {
                return (int)count;
            }

            switch (Marshal.GetLastPInvokeError())
            {
                case Libc.EINTR:
                    continue;
                case Libc.EAGAIN:
                    return -1;
                case Libc.EIO when Kind == OutputKind.Pty:
                    return 0;
                case var errno:
                    throw NativeError.ToException(errno, $"read {Kind}");
            }
        }
    }
}
