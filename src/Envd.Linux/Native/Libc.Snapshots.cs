using System.Runtime.InteropServices;

namespace Envd.Linux.Native;

/// <summary>The calls that prepare the VM for a snapshot: filesystem freeze and huge-page collapse.</summary>
internal static partial class Libc
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, nint argument);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int madvise(nint address, nuint length, int advice);

    internal const int OpenReadOnly = 0;
    internal const int OpenCloseOnExec = 0x80000;
    internal const nuint FIFREEZE = 0xC0045877;
    internal const nuint FITHAW = 0xC0045878;
    internal const int MadviseCollapse = 25;
    internal const int EBUSY = 16;
}
