using System.Diagnostics;

namespace Envd.Tests.Infrastructure;

/// <summary>
/// A cgroup2 tree of the test's own: cgroup2 mounted on a fresh temp directory and one sub-cgroup under it, which is
/// all a test may write to. Disposing kills what the test moved in, removes every cgroup made below the sub-cgroup,
/// the sub-cgroup itself, then unmounts.
/// </summary>
public sealed class TestCgroup : IDisposable
{
    private readonly string _mount;

    private TestCgroup(string mount, string path)
    {
        _mount = mount;
        Path = path;
    }

    /// <summary>The test's sub-cgroup: pass it as the cgroup root.</summary>
    public string Path { get; }

    /// <summary>Why no tree could be made on this machine, or null when <see cref="Create"/> will work.</summary>
    public static string? Unavailable { get; } = Probe();

    /// <summary>Call after <c>Skip.If(TestCgroup.Unavailable is not null, TestCgroup.Unavailable)</c>.</summary>
    public static TestCgroup Create()
    {
        var mount = Directory.CreateTempSubdirectory("envd-cgroup2-").FullName;
        if (Run("mount", "-t", "cgroup2", "none", mount) != 0)
        {
            Directory.Delete(mount);
            throw new InvalidOperationException("mounting cgroup2 failed");
        }

        var path = System.IO.Path.Combine(mount, "envd-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return new TestCgroup(mount, path);
    }

    /// <summary>Starts <c>sleep</c> inside <paramref name="cgroup"/> (a directory below <see cref="Path"/>).</summary>
    public static Process StartSleeperIn(string cgroup)
    {
        var sleeper = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        File.WriteAllText(System.IO.Path.Combine(cgroup, "cgroup.procs"), sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return sleeper;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            // cgroup.kill reaches frozen tasks too, so nothing is left to keep a directory busy.
            File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.kill"), "1");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (File.ReadAllText(System.IO.Path.Combine(Path, "cgroup.events")).Contains("populated 1") && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }

            foreach (var directory in Directory.GetDirectories(Path, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            {
                Directory.Delete(directory);
            }

            Directory.Delete(Path);
        }

        Run("umount", _mount);
        Directory.Delete(_mount);
    }

    private static string? Probe()
    {
        if (Environment.UserName != "root")
        {
            return "cgroup2 tests need root";
        }

        if (!File.ReadAllText("/proc/filesystems").Contains("cgroup2"))
        {
            return "the kernel has no cgroup2";
        }

        try
        {
            Create().Dispose();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return $"cannot mount a cgroup2 tree here: {e.Message}";
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
