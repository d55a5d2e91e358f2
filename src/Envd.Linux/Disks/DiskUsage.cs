using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Disks;

/// <summary>Size and usage of one filesystem, in bytes; blocks reserved for root count as used, like upstream.</summary>
public readonly record struct DiskUsage(ulong Total, ulong Used)
{
    /// <summary>statfs(2) of the filesystem holding <paramref name="path"/>.</summary>
    /// <exception cref="NativeErrorException">statfs failed.</exception>
    public static DiskUsage Of(string path)
    {
        if (Libc.statfs(path, out var stats) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"statfs {path}");
        }

        var blockSize = (ulong)stats.BlockSize;
        return new DiskUsage(stats.Blocks * blockSize, (stats.Blocks - stats.BlocksAvailable) * blockSize);
    }
}
