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

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int clock_settime(int clockId, in Timespec time);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int statfs(string path, out StatFs buffer);

    internal const int ClockRealtime = 0;
    internal const int ENOENT = 2;
    internal const int EEXIST = 17;
    internal const int ENOSPC = 28;
    internal const int ERANGE = 34;
    internal const int ENODATA = 61;
    internal const int ENOTSUP = 95;
    internal const int EDQUOT = 122;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>struct statfs on 64-bit Linux (x86_64, aarch64): every word is 64 bits, 120 bytes in all.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 120)]
    internal struct StatFs
    {
        public long Type;
        public long BlockSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public long FsId;
        public long NameLength;
        public long FragmentSize;
        public long Flags;
    }
}
