using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Watching;

/// <summary>
/// One inotify instance. <see cref="ReadBatch"/> blocks its caller (a dedicated reader thread) until events arrive
/// or <see cref="Stop"/> is called from any thread; the reader then disposes it.
/// </summary>
public sealed unsafe class Inotify : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private readonly int _fd;
    private readonly int _stopFd;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly Lock _gate = new();
    private bool _disposed;

    public Inotify()
    {
        _fd = Libc.inotify_init1(Libc.InNonBlock | Libc.InCloexec);
        if (_fd < 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "inotify_init1");
        }

        _stopFd = Libc.eventfd(0, Libc.InNonBlock | Libc.InCloexec);
        if (_stopFd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.close(_fd);
            throw NativeError.ToException(errno, "eventfd");
        }
    }

    /// <summary>Watches a directory for <see cref="InotifyMask.Watched"/> events (plus <paramref name="extra"/> flags).</summary>
    /// <returns>The watch descriptor events will carry.</returns>
    /// <exception cref="NativeErrorException">ENOSPC when the user's watch limit is reached, ENOENT when the path vanished.</exception>
    public int AddWatch(string path, uint extra = 0)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var wd = Libc.inotify_add_watch(_fd, path, InotifyMask.Watched | extra);
            return wd >= 0 ? wd : throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"inotify_add_watch {path}");
        }
    }

    /// <summary>Drops a watch; one that the kernel already dropped, or a closed instance, is not an error.</summary>
    public void RemoveWatch(int wd)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                Libc.inotify_rm_watch(_fd, wd);
            }
        }
    }

    /// <summary>Waits for the next batch of events; null once <see cref="Stop"/> was called.</summary>
    /// <exception cref="NativeErrorException">Reading failed.</exception>
    public List<InotifyEvent>? ReadBatch()
    {
        var fds = stackalloc Libc.PollFd[2];
        while (true)
        {
            fds[0] = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
            fds[1] = new Libc.PollFd { Fd = _stopFd, Events = Libc.PollIn };
            if (Libc.poll(fds, 2, -1) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                throw NativeError.ToException(errno, "poll inotify");
            }

            if (fds[1].ReturnedEvents != 0)
            {
                return null;
            }

            fixed (byte* data = _buffer)
            {
                var read = Libc.read(_fd, data, _buffer.Length);
                if (read > 0)
                {
                    return InotifyEvent.Parse(_buffer.AsSpan(0, (int)read));
                }

                var errno = Marshal.GetLastPInvokeError();
                if (read < 0 && errno is not (Libc.EAGAIN or Libc.EINTR))
                {
                    throw NativeError.ToException(errno, "read inotify");
                }
            }
        }
    }

    /// <summary>Wakes the reader so that <see cref="ReadBatch"/> returns null. Safe from any thread, more than once.</summary>
    public void Stop()
    {
        // Under the lock so a concurrent Dispose can never leave us writing to a closed (or reused) descriptor.
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            ulong one = 1;
            Libc.write(_stopFd, (byte*)&one, sizeof(ulong));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Libc.close(_fd);
            Libc.close(_stopFd);
        }
    }
}
