namespace Envd.Linux.Files;

/// <summary>Upstream's EnsureDirs: create each missing ancestor (0755) and give it to the user; existing ones stay as they are.</summary>
public static class Directories
{
    /// <exception cref="IOException">A component exists and is not a directory ("path is a file: ...").</exception>
    public static void Ensure(string directory, uint uid, uint gid)
    {
        // Every upload comes here: an existing directory costs one stat instead of one per component.
        if (Directory.Exists(directory))
        {
            return;
        }

        var current = string.Empty;
        foreach (var part in directory.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            if (Directory.Exists(current))
            {
                continue;
            }

            if (File.Exists(current))
            {
                throw new IOException($"path is a file: {current}");
            }

            try
            {
                Directory.CreateDirectory(current, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
            catch (IOException) when (Directory.Exists(current))
            {
                continue;
            }

            Ownership.Chown(current, uid, gid);
        }
    }
}
