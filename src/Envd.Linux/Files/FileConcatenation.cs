using System.Buffers;
using System.Runtime.InteropServices;
using Envd.Linux.Native;
using Microsoft.Win32.SafeHandles;

namespace Envd.Linux.Files;

/// <summary>Appends whole files to an open one, letting the kernel copy the bytes (copy_file_range) where it can.</summary>
public static unsafe class FileConcatenation
{
    private const int CopyBlock = 1 << 30;
    private const int FallbackBuffer = 64 * 1024;

    /// <summary>Appends <paramref name="source"/> at <paramref name="offset"/> and advances it by the bytes copied.</summary>
    public static void Append(SafeFileHandle destination, ref long offset, string source)
    {
        using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (!TryKernelCopy(input, destination, ref offset))
        {
            ManagedCopy(input, destination, ref offset);
        }
    }

    /// <returns>False when this pair of filesystems cannot copy in the kernel and nothing was copied yet.</returns>
    private static bool TryKernelCopy(SafeFileHandle input, SafeFileHandle output, ref long offset)
    {
        var addedIn = false;
        var addedOut = false;
        try
        {
            input.DangerousAddRef(ref addedIn);
            output.DangerousAddRef(ref addedOut);
            var fdIn = (int)input.DangerousGetHandle();
            var fdOut = (int)output.DangerousGetHandle();
            long inOffset = 0;
            long outOffset = offset;
            while (true)
            {
                var copied = Libc.copy_file_range(fdIn, &inOffset, fdOut, &outOffset, CopyBlock, 0);
                if (copied == 0)
                {
                    offset = outOffset;
                    return true;
                }

                if (copied < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (inOffset == 0 && errno is Libc.EXDEV or Libc.ENOSYS or Libc.EINVAL or Libc.ENOTSUP)
                    {
                        return false;
                    }

                    throw NativeError.ToException(errno, "copy_file_range");
                }
            }
        }
        finally
        {
            if (addedIn)
            {
                input.DangerousRelease();
            }

            if (addedOut)
            {
                output.DangerousRelease();
            }
        }
    }

    private static void ManagedCopy(SafeFileHandle input, SafeFileHandle output, ref long offset)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FallbackBuffer);
        try
        {
            long inOffset = 0;
            int read;
            while ((read = RandomAccess.Read(input, buffer, inOffset)) > 0)
            {
                RandomAccess.Write(output, buffer.AsSpan(0, read), offset);
                inOffset += read;
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
