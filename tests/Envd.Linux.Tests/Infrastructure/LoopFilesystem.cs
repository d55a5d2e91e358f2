using System.Diagnostics;

namespace Envd.Tests.Infrastructure;

/// <summary>
/// A small ext4 filesystem of the test's own, loop-mounted on a fresh temp directory, for what must never touch the
/// machine's real filesystems (FIFREEZE). Disposing thaws it, unmounts it and deletes the image.
/// </summary>
public sealed class LoopFilesystem : IDisposable
{
    private readonly string _directory;

    private LoopFilesystem(string directory)
    {
        _directory = directory;
        MountPath = Path.Combine(directory, "mnt");
    }

    public string MountPath { get; }

    /// <summary>Why no such filesystem can be made here, or null.</summary>
    public static string? Unavailable { get; } = Probe();

    public static LoopFilesystem Create()
    {
        var directory = Directory.CreateTempSubdirectory("envd-loopfs-").FullName;
        var image = Path.Combine(directory, "fs.img");
        using (var file = File.Create(image))
        {
            file.SetLength(16 * 1024 * 1024);
        }

        var filesystem = new LoopFilesystem(directory);
        Directory.CreateDirectory(filesystem.MountPath);
        if (Run("mkfs.ext4", "-q", "-F", image) != 0 || Run("mount", "-o", "loop", image, filesystem.MountPath) != 0)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException("making or mounting an ext4 image failed");
        }

        return filesystem;
    }

    public void Dispose()
    {
        Run("fsfreeze", "--unfreeze", MountPath);
        Run("umount", MountPath);
        Directory.Delete(_directory, recursive: true);
    }

    private static string? Probe()
    {
        try
        {
            Create().Dispose();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return $"cannot loop-mount an ext4 image here: {e.Message}";
        }
    }

    private static int Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
