using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Files;

/// <summary>Moving and removing whole trees the way upstream does: rename(2) without copy fallback, RemoveAll.</summary>
public static class FileTree
{
    /// <summary>rename(2): replaces an existing destination file; EXDEV is not worked around.</summary>
    /// <exception cref="NativeErrorException">With the errno; ENOENT when the source is missing.</exception>
    public static void Move(string source, string destination)
    {
        if (Libc.rename(source, destination) != 0)
        {
            throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"rename {source} {destination}");
        }
    }

    /// <summary>Removes a file, a symlink (not its target) or a directory tree; a missing path is fine.</summary>
    public static void RemoveAll(string path)
    {
        if (FileStatus.TryLstat(path) is not { } status)
        {
            return;
        }

        try
        {
            if (status.IsDirectory)
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Someone else removed it first: the outcome is the same.
        }
    }
}
