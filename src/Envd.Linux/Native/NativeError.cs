using System.Runtime.InteropServices;

namespace Envd.Linux.Native;

/// <summary>An errno from a libc call, kept so callers can tell a full disk (507) from other failures.</summary>
public sealed class NativeErrorException(int errno, string message) : IOException(message, errno)
{
    public int Errno { get; } = errno;

    public bool IsNoSpace => Errno is Libc.ENOSPC or Libc.EDQUOT;

    public bool IsNotFound => Errno == Libc.ENOENT;
}

/// <summary>Recognises a full disk or quota in any I/O failure, from libc or from .NET (which keeps the errno in HResult).</summary>
public static class StorageErrors
{
    public static bool IsNoSpace(Exception error) => error switch
    {
        NativeErrorException native => native.IsNoSpace,
        IOException io => io.HResult is Libc.ENOSPC or Libc.EDQUOT,
        _ => false,
    };
}

internal static class NativeError
{
    public static NativeErrorException ToException(int errno, string operation) =>
        new(errno, $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}");
}
