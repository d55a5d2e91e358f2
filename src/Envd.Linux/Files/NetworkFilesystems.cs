using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Files;

/// <summary>Spots paths on network filesystems, where inotify sees nothing that other machines change.</summary>
public static class NetworkFilesystems
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
        if (Libc.statfs(path, out var stats) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"statfs {path}");
        }

        return stats.Type;
    }
}
