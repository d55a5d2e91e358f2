using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Files;

/// <summary>What stat(2) says about a path: raw st_mode (type and permission bits), owner, size, mtime and inode.</summary>
public readonly record struct FileStatus(uint Mode, uint Uid, uint Gid, long Size, long MtimeSeconds, uint MtimeNanoseconds, ulong Inode)
{
    public const uint TypeMask = 0xF000;
    public const uint Directory = 0x4000;
    public const uint Regular = 0x8000;
    public const uint Symlink = 0xA000;

    public bool IsDirectory => (Mode & TypeMask) == Directory;

    public bool IsRegular => (Mode & TypeMask) == Regular;

    public bool IsSymlink => (Mode & TypeMask) == Symlink;

    /// <summary>The path itself, a symlink not followed; null when the path does not exist.</summary>
    /// <exception cref="NativeErrorException">lstat failed for another reason (the errno is kept).</exception>
    public static FileStatus? TryLstat(string path) => TryQuery(path, Libc.AtSymlinkNoFollow, "lstat");

    /// <summary>What the path leads to, symlinks followed; null when it (or a link's target) does not exist.</summary>
    /// <exception cref="NativeErrorException">stat failed for another reason (the errno is kept).</exception>
    public static FileStatus? TryStat(string path) => TryQuery(path, 0, "stat");

    private static FileStatus? TryQuery(string path, int flags, string operation)
    {
        try
        {
            return Query(path, flags, operation);
        }
        catch (NativeErrorException e) when (e.Errno is Libc.ENOENT or Libc.ENOTDIR)
        {
            return null;
        }
    }

    private static FileStatus Query(string path, int flags, string operation)
    {
        if (Libc.statx(Libc.AtFdCwd, path, flags, Libc.StatxBasicStats, out var statx) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"{operation} {path}");
        }

        return new FileStatus(statx.Mode, statx.Uid, statx.Gid, (long)statx.Size, statx.MtimeSeconds, statx.MtimeNanoseconds, statx.Inode);
    }
}
