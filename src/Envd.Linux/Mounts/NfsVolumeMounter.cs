using System.Diagnostics;

namespace Envd.Linux.Mounts;

/// <summary>Mounts NFSv3 volumes with the mount(8) options upstream uses, unmounting a stale mount first.</summary>
public sealed class NfsVolumeMounter : IVolumeMounter
{
    private const string Options =
        "fg,hard,sync,rsize=1048576,wsize=1048576,mountproto=tcp,mountport=2049,proto=tcp,port=2049,nfsvers=3,noacl,noac,lookupcache=none";

    public async Task MountAsync(string nfsTarget, string path, CancellationToken cancellationToken)
    {
        var (mounted, _) = await RunAsync("findmnt", ["--noheadings", "--output", "SOURCE", path], cancellationToken);
        if (mounted == 0)
        {
            var (forced, _) = await RunAsync("umount", ["--force", path], cancellationToken);
            if (forced != 0)
            {
                using var lazyBudget = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await RunAsync("umount", ["--lazy", path], lazyBudget.Token);
            }
        }

        Directory.CreateDirectory(path);
        var (code, output) = await RunAsync("mount", ["-v", "-t", "nfs", "-o", Options, nfsTarget, path], cancellationToken);
        if (code != 0)
        {
            throw new IOException($"mount {nfsTarget} on {path} failed ({code}): {output.Trim()}");
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new IOException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
