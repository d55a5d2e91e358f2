using System.Diagnostics;
using System.Net;
using Envd.Web.Tests.Infrastructure;
using static Envd.Web.Tests.Files.UploadTests;

namespace Envd.Web.Tests.Files;

/// <summary>A test that mounts a tmpfs inside its own temp directory; skipped where mounting is not permitted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public TmpfsFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = reason;
        }
    }

    private static string? Probe()
    {
        var dir = Directory.CreateTempSubdirectory("envd-mount-probe-").FullName;
        try
        {
            if (SmallDisk.Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir) != 0)
            {
                return "mounting a tmpfs is not permitted here (needs root and CAP_SYS_ADMIN)";
            }

            SmallDisk.Run("umount", dir);
            return null;
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}

/// <summary>A 1 MiB tmpfs mounted in a temp directory, unmounted on dispose.</summary>
public sealed class SmallDisk : IDisposable
{
    public SmallDisk(string parent)
    {
        Path = System.IO.Path.Combine(parent, "small");
        Directory.CreateDirectory(Path);
        if (Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", Path) != 0)
        {
            throw new InvalidOperationException($"mount tmpfs on {Path} failed");
        }
    }

    public string Path { get; }

    public void Dispose() => Run("umount", Path);

    internal static int Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}

public sealed class FullDiskTests
{
    [TmpfsFact]
    public async Task A_full_disk_answers_507_keeps_the_old_file_leaves_nothing_behind_and_the_daemon_keeps_serving()
    {
        TestUsers.EnsureCreated();
        await using var server = await EnvdServer.StartAsync();
        using var disk = new SmallDisk(server.Root);
        var target = System.IO.Path.Combine(disk.Path, "kept.bin");
        var old = RandomBytes(200_000);
        await File.WriteAllBytesAsync(target, old);
        var tooBig = RandomBytes(2 * 1024 * 1024);

        using var raw = await server.Client.PostAsync(
            $"/files?path={Uri.EscapeDataString(target)}&username={TestUsers.Regular}", Multipart.Raw(tooBig));
        using var multipart = await server.Client.PostAsync(
            $"/files?username={TestUsers.Regular}", Multipart.Files((target, tooBig)));

        await AssertError(raw, HttpStatusCode.InsufficientStorage, $"attempted to write {tooBig.Length} bytes: not enough disk space available");
        Assert.Equal(HttpStatusCode.InsufficientStorage, multipart.StatusCode);
        Assert.Equal(old, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFiles(disk.Path));

        var small = System.IO.Path.Combine(disk.Path, "small.txt");
        using var after = await server.Client.PostAsync(
            $"/files?path={Uri.EscapeDataString(small)}&username={TestUsers.Regular}", Multipart.Raw("still serving"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("still serving", await File.ReadAllTextAsync(small));
    }
}
