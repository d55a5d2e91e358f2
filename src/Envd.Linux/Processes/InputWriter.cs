using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Processes;

/// <summary>
/// The parent's end of a child's stdin pipe, or its PTY master. Writes are serialized and wait (asynchronously) while
/// the child is not reading; closing fails pending writes and gives the child EOF.
/// </summary>
public sealed class InputWriter : IDisposable
{
    private readonly FileDescriptor _fd;
    private readonly Readiness _writable;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly CancellationTokenSource _closed = new();

    internal InputWriter(FdPoller poller, FileDescriptor fd)
    {
        _fd = fd;
        _writable = poller.Watch(fd, writable: true);
    }

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <exception cref="InputClosedException">The input was closed before or during the write.</exception>
    /// <exception cref="NativeErrorException">The write failed, e.g. EPIPE once the child is gone.</exception>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        using var waitEnds = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _closed.Token);
        try
        {
            await _turn.WaitAsync(waitEnds.Token);
        }
        catch (OperationCanceledException) when (IsClosed)
        {
            throw new InputClosedException();
        }

        try
        {
            while (!data.IsEmpty)
            {
                var written = TryWrite(data.Span);
                if (written > 0)
                {
                    data = data[written..];
                    continue;
                }

                await _writable.WaitAsync(waitEnds.Token);
            }
        }
        catch (Exception e) when (IsClosed && e is OperationCanceledException or ObjectDisposedException)
        {
            throw new InputClosedException();
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Resizes the terminal when this writes to a PTY master.</summary>
    internal unsafe void SetWindowSize(TerminalSize size)
    {
        using var fd = Acquire();
        var window = new Libc.WinSize { Cols = size.Cols, Rows = size.Rows };
        if (Libc.ioctl(fd.Number, Libc.TIOCSWINSZ, &window) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "TIOCSWINSZ");
        }
    }

    /// <summary>Idempotent.</summary>
    public void Close()
    {
        if (IsClosed)
        {
            return;
        }

        _closed.Cancel();
        _writable.Dispose();
        _fd.Dispose();
    }

    public void Dispose() => Close();

    private FileDescriptor.Lease Acquire()
    {
        try
        {
            return _fd.Acquire();
        }
        catch (ObjectDisposedException)
        {
            throw new InputClosedException();
        }
    }

    /// <summary>Bytes written, or 0 when the pipe or terminal buffer is full.</summary>
    private unsafe int TryWrite(ReadOnlySpan<byte> data)
    {
        using var fd = Acquire();
        while (true)
        {
            nint count;
            fixed (byte* bytes = data)
            {
                count = Libc.write(fd.Number, bytes, data.Length);
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
                    return 0;
                case var errno:
                    throw NativeError.ToException(errno, "write");
            }
        }
    }
}

/// <summary>Input was written after (or while) it was closed.</summary>
public sealed class InputClosedException() : IOException("stdin not enabled or closed");
