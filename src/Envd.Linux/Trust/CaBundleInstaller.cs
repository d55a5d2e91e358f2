namespace Envd.Linux.Trust;

/// <summary>
/// Adds a PEM to the system trust bundle and keeps a copy under the local certificates folder; a new PEM replaces
/// the previous one in the bundle. Both paths are settings, so tests work on temp files.
/// </summary>
public sealed class CaBundleInstaller(string bundlePath, string localCertPath)
{
    /// <summary>Normalizes to exactly one trailing newline, so an identical bundle is recognised.</summary>
    public static string Normalize(string pem) => pem.TrimEnd('\n', '\r') + "\n";

    /// <summary>
    /// Installs <paramref name="pem"/>, removing <paramref name="previous"/> from the bundle. Without a
    /// <paramref name="previous"/> (a restarted envd), the local copy written last time stands in for it, so the same
    /// PEM is never appended twice. Returns the normalized PEM.
    /// </summary>
    public string Install(string pem, string? previous)
    {
        var normalized = Normalize(pem);
        previous ??= File.Exists(localCertPath) ? File.ReadAllText(localCertPath) : null;
        if (previous is not null && Normalize(previous) == normalized)
        {
            return normalized;
        }

        if (previous is null)
        {
            // The bundle may be a bind mount seeded at boot: appending keeps it in place.
            var existing = File.Exists(bundlePath) ? File.ReadAllText(bundlePath) : string.Empty;
            File.AppendAllText(bundlePath, (existing.Length > 0 && !existing.EndsWith('\n') ? "\n" : string.Empty) + normalized);
        }
        else
        {
            var bundle = File.ReadAllText(bundlePath).Replace(Normalize(previous), string.Empty, StringComparison.Ordinal);
            ReplaceFile(bundlePath, bundle + normalized);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(localCertPath)!);
        ReplaceFile(localCertPath, normalized);
        return normalized;
    }

    private static void ReplaceFile(string path, string content)
    {
        var temp = path + ".envd-" + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            File.WriteAllText(temp, content);
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
