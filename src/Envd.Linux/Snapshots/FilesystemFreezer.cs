using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Snapshots;

/// <summary>
/// FIFREEZE/FITHAW on the filesystem holding <paramref name="mountPath"/> (<c>/</c> in the VM), so a snapshot sees it
/// clean. Both are idempotent: freezing a frozen filesystem (EBUSY) or thawing a thawed one (EINVAL) succeeds.
/// </summary>
public sealed class FilesystemFreezer(string mountPath)
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string MountPath => mountPath;

    /// <exception cref="OperationCanceledException">The caller gave up waiting for another freeze or thaw.</exception>
    /// <exception cref="NativeErrorException">The kernel refused.</exception>
    public Task FreezeAsync(CancellationToken cancellationToken) => RunAsync(Libc.FIFREEZE, Libc.EBUSY, "FIFREEZE", cancellationToken);

    /// <inheritdoc cref="FreezeAsync"/>
    public Task ThawAsync(CancellationToken cancellationToken) => RunAsync(Libc.FITHAW, Libc.EINVAL, "FITHAW", cancellationToken);

    private async Task RunAsync(nuint request, int alreadyDone, string name, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var fd = Libc.open(mountPath, Libc.OpenReadOnly | Libc.OpenCloseOnExec);
            if (fd < 0)
            {
                throw NativeError.ToException(Marshal.GetLastPInvokeError(), $"open {mountPath}");
            }

            try
            {
                if (Libc.ioctl(fd, request, 0) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != alreadyDone)
                {
                    throw NativeError.ToException(errno, $"{name} {mountPath}");
                }
            }
            finally
            {
                Libc.close(fd);
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
