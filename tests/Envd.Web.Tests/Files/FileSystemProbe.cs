using System.Diagnostics;
using Envd.Linux.Files;

namespace Envd.Web.Tests.Files;

/// <summary>What a test checks on disk after a transfer: owners, and that no staged file was left behind.</summary>
public static class FileSystemProbe
{
    public static (uint Uid, uint Gid) Owner(string path)
    {
        var start = new ProcessStartInfo("stat", ["-c", "%u:%g", path]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim().Split(':');
        process.WaitForExit();
        return (uint.Parse(output[0]), uint.Parse(output[1]));
    }

    public static uint UidOf(string user) => Owner($"/home/{user}").Uid;

    public static string[] StagedFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Contains(StagedFile.Marker, StringComparison.Ordinal))
            .ToArray();
}
