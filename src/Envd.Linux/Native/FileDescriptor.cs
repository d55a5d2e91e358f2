using Microsoft.Win32.SafeHandles;

namespace Envd.Linux.Native;

/// <summary>An owned file descriptor; closing it waits until no call in flight still uses the number.</summary>
internal sealed class FileDescriptor : SafeHandleMinusOneIsInvalid
{
    public FileDescriptor(int fd)
        : base(ownsHandle: true) => SetHandle(fd);

    /// <summary>Keeps the fd number open and unreused until the lease is disposed; throws once the fd is closed.</summary>
    public Lease Acquire()
    {
        var added = false;
        DangerousAddRef(ref added);
        return new Lease(this, (int)handle);
    }

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;

    public readonly struct Lease(FileDescriptor owner, int number) : IDisposable
    {
        public int Number { get; } = number;

        public void Dispose() => owner.DangerousRelease();
    }
}
