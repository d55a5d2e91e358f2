using System.Runtime.InteropServices;

namespace Envd.Linux.Native;

/// <summary>The few libc calls .NET has no managed API for.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint getxattr(string path, string name, byte* value, nint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint listxattr(string path, byte* list, nint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int setxattr(string path, string name, byte* value, nint size, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int removexattr(string path, string name);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rename(string oldPath, string newPath);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint copy_file_range(int fdIn, long* offIn, int fdOut, long* offOut, nuint length, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int clock_settime(int clockId, in Timespec time);

    internal const int ClockRealtime = 0;
    internal const int ENOENT = 2;
    internal const int EEXIST = 17;
    internal const int EXDEV = 18;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int ERANGE = 34;
    internal const int ENODATA = 61;
    internal const int ENOSYS = 38;
    internal const int ENOTSUP = 95;
    internal const int EDQUOT = 122;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
