using Envd.Linux.Paths;

namespace Envd.Linux.Files;

/// <summary>
/// Upstream's ListDir walk: depth-first, pre-order, names sorted within each directory, symlinks below the root not
/// followed, entries at most <c>depth</c> components below the root, reported under the requested path.
/// </summary>
public static class DirectoryListing
{
    /// <param name="directory">The directory to read, its own symlinks already resolved.</param>
    /// <param name="reportedAs">The path the client asked for; entry paths are built from it.</param>
    /// <exception cref="IOException">A directory could not be read; the whole listing fails, as upstream's does.</exception>
    /// <exception cref="UnauthorizedAccessException">Same, for a permission error.</exception>
    public static List<FileEntry> List(FileEntries entries, string directory, string reportedAs, int depth)
    {
        var result = new List<FileEntry>();
        Walk(entries, directory, reportedAs, 1, depth, result);
        return result;
    }

    private static void Walk(FileEntries entries, string directory, string reportedAs, int level, int depth, List<FileEntry> result)
    {
        string[] names;
        try
        {
            names = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().ToArray();
        }
        catch (DirectoryNotFoundException) when (level > 1)
        {
            // Removed while we walked: like any vanished entry, it is left out.
            return;
        }

        Array.Sort(names, StringComparer.Ordinal);
        foreach (var name in names)
        {
            var path = Path.Join(directory, name);
            var reported = PathResolver.Clean(Path.Join(reportedAs, name));
            if (entries.Read(path) is not { } entry)
            {
                continue;
            }

            result.Add(entry with { Path = reported });
            if (level < depth && FileStatus.TryLstat(path) is { IsDirectory: true })
            {
                Walk(entries, path, reported, level + 1, depth, result);
            }
        }
    }
}
