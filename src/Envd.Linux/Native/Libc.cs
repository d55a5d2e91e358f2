using System.Runtime.InteropServices;

namespace Envd.Linux.Native;

/// <summary>The few libc calls .NET has no managed API for.</summary>
internal static partial class Libc
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int clock_settime(int clockId, in Timespec time);

    internal const int ClockRealtime = 0;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
