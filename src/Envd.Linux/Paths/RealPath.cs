using System.Runtime.InteropServices;
using System.Text;
using Envd.Linux.Native;

namespace Envd.Linux.Paths;

public enum RealPathOutcome
{
    Resolved,
    NotFound,
    Loop,
    NotDirectory,
    Failed,
}

/// <summary>realpath(3): every symlink in the path resolved, the result absolute and clean.</summary>
public static unsafe class RealPath
{
    /// <summary>The resolved path, or null when it cannot be resolved (missing, dangling, a loop).</summary>
    public static string? TryResolve(string path) => Resolve(path, out var resolved) == RealPathOutcome.Resolved ? resolved : null;

    public static RealPathOutcome Resolve(string path, out string resolved)
    {
        var buffer = stackalloc byte[Libc.PathMax];
        if (Libc.realpath(path, buffer) == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            resolved = NativeError.ToException(errno, $"realpath {path}").Message;
            return errno switch
            {
                Libc.ENOENT => RealPathOutcome.NotFound,
                Libc.ELOOP => RealPathOutcome.Loop,
                Libc.ENOTDIR => RealPathOutcome.NotDirectory,
                _ => RealPathOutcome.Failed,
            };
        }

        resolved = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buffer));
        return RealPathOutcome.Resolved;
    }
}
