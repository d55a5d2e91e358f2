using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Files;

/// <summary>Spots paths on network filesystems, where inotify sees nothing that other machines change.</summary>
public static unsafe class NetworkFilesystems
{
    private const long Nfs = 0x6969;
    private const long Cifs = 0xFF534D42;
    private const long Smb = 0x517B;
    private const long Smb2 = 0xFE534D42;
    private const long Fuse = 0x65735546;

    public static bool IsNetwork(long magic) => magic is Nfs or Cifs or Smb or Smb2 or Fuse;

    /// <summary>The f_type of the filesystem holding <paramref name="path"/>.</summary>
    /// <exception cref="NativeErrorException">statfs failed.</exception>
    public static long Magic(string path)
    {
        // struct statfs is 120 bytes on 64-bit Linux and begins with f_type on every architecture.
        var buffer = stackalloc byte[256];
        if (Libc.statfs(path, buffer) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"statfs {path}");
        }

        return *(long*)buffer;
    }
}
