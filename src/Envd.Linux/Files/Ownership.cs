using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Files;

/// <summary>chown(2) for paths; the daemon runs as root and hands files to the user it acts for.</summary>
public static class Ownership
{
    public static void Chown(string path, uint uid, uint gid)
    {
        if (Libc.chown(path, uid, gid) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"chown {path}");
        }
    }

    public static void Lchown(string path, uint uid, uint gid)
    {
        if (Libc.lchown(path, uid, gid) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"lchown {path}");
        }
    }
}
