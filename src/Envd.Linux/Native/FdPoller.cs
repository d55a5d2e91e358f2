using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Envd.Linux.Native;

/// <summary>
/// One epoll instance and one thread that wake async readers and writers of non-blocking fds (pipes, PTY masters,
/// pidfds), because .NET has no async I/O for such fds and a blocked thread per stream would not scale.
/// </summary>
internal sealed unsafe class FdPoller : IDisposable
{
    private const ulong WakeId = 0;
    private const int BatchSize = 64;

    private readonly int _epoll;
    private readonly FileDescriptor _wake;
    private readonly Thread _thread;
    private readonly ConcurrentDictionary<ulong, Readiness> _watched = new();
    private long _lastId;
    private volatile bool _stopping;

    public FdPoller()
    {
        _epoll = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), "epoll_create1");
        }

        var wake = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (wake < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.close(_epoll);
            throw NativeError.ToException(errno, "eventfd");
        }

        _wake = new FileDescriptor(wake);
        var registration = new Libc.EpollEvent { Events = Libc.EPOLLIN, Data = WakeId };
        Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_ADD, wake, &registration);
        _thread = new Thread(Run) { IsBackground = true, Name = "envd-fd-poller" };
        _thread.Start();
    }

    /// <summary>Watches <paramref name="fd"/> for one direction; the fd must stay open until the result is disposed.</summary>
    public Readiness Watch(FileDescriptor fd, bool writable)
    {
        var id = (ulong)Interlocked.Increment(ref _lastId);
        var readiness = new Readiness(this, fd, writable ? Libc.EPOLLOUT : Libc.EPOLLIN, id);
        _watched[id] = readiness;
        return readiness;
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        ulong one = 1;
        using (var wake = _wake.Acquire())
        {
            Libc.write(wake.Number, (byte*)&one, sizeof(ulong));
        }

        _thread.Join();
        _wake.Dispose();
        Libc.close(_epoll);
    }

    /// <summary>Arms a one-shot notification: the next readiness of the fd completes the current waiter.</summary>
    internal void Arm(Readiness readiness)
    {
        var registration = new Libc.EpollEvent { Events = readiness.Events | Libc.EPOLLONESHOT, Data = readiness.Id };
        using (var fd = readiness.Fd.Acquire())
        {
            var operation = readiness.Registered ? Libc.EPOLL_CTL_MOD : Libc.EPOLL_CTL_ADD;
            if (Libc.epoll_ctl(_epoll, operation, fd.Number, &registration) != 0)
            {
                throw NativeError.ToException(Marshal.GetLastPInvokeError(), "epoll_ctl");
            }
        }

        readiness.Registered = true;
    }

    internal void Forget(Readiness readiness)
    {
        _watched.TryRemove(readiness.Id, out _);
        if (!readiness.Registered || readiness.Fd.IsClosed)
        {
            return;
        }

        using var fd = readiness.Fd.Acquire();
        Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_DEL, fd.Number, null);
    }

    private void Run()
    {
        var events = stackalloc Libc.EpollEvent[BatchSize];
        while (!_stopping)
        {
            var count = Libc.epoll_wait(_epoll, events, BatchSize, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                {
                    continue;
                }

                throw NativeError.ToException(Marshal.GetLastPInvokeError(), "epoll_wait");
            }

            for (var i = 0; i < count; i++)
            {
                if (events[i].Data != WakeId && _watched.TryGetValue(events[i].Data, out var readiness))
                {
                    readiness.Signal();
                }
            }
        }
    }
}

/// <summary>One fd watched in one direction, with at most one waiter at a time.</summary>
internal sealed class Readiness(FdPoller poller, FileDescriptor fd, uint events, ulong id) : IDisposable
{
    private TaskCompletionSource? _waiter;

    internal FileDescriptor Fd { get; } = fd;

    internal uint Events { get; } = events;

    internal ulong Id { get; } = id;

    internal bool Registered { get; set; }

    /// <summary>Completes when the fd is ready (or spuriously: callers retry their syscall and wait again on EAGAIN).</summary>
    public Task WaitAsync(CancellationToken cancellation)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _waiter, waiter);
        poller.Arm(this);
        return waiter.Task.WaitAsync(cancellation);
    }

    public void Dispose()
    {
        poller.Forget(this);
        Interlocked.Exchange(ref _waiter, null)?.TrySetCanceled();
    }

    internal void Signal() => Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
}
