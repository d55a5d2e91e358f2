using System.Text;

namespace Envd.Linux.Paths;

/// <summary>Upstream's ExpandAndResolve: how a client's path becomes an absolute one for a given user.</summary>
public static class PathResolver
{
    private const int PathMax = 4096;
    private const int NameMax = 255;

    /// <summary>
    /// Empty → the default workdir (if any); <c>~</c> and <c>~/x</c> → the home; absolute paths are returned as given
    /// (not cleaned); relative paths resolve against the home, never the workdir.
    /// </summary>
    public static PathResolution Resolve(string? path, string home, string? defaultWorkdir)
    {
        path ??= string.Empty;
        if (path.Length == 0 && !string.IsNullOrEmpty(defaultWorkdir))
        {
            path = defaultWorkdir;
        }

        if (path.StartsWith('~'))
        {
            if (path.Length > 1 && path[1] != '/' && path[1] != '\\')
            {
                return PathResolution.Fail("cannot expand user-specific home dir");
            }

            path = Clean(Path.Join(home, path[1..]));
        }

        if (path.Contains('\0'))
        {
            return PathResolution.Fail("path contains a NUL byte");
        }

        return Checked(path.StartsWith('/') ? path : Clean(Path.Join(home, path)));
    }

    /// <summary>
    /// The kernel refuses paths of PATH_MAX bytes or more and names longer than NAME_MAX (ENAMETOOLONG); saying so here
    /// makes that a bad request for every caller, not a failure deep in a syscall.
    /// </summary>
    private static PathResolution Checked(string path)
    {
        if (Encoding.UTF8.GetByteCount(path) >= PathMax)
        {
            return PathResolution.Fail($"file name too long: the path has {Encoding.UTF8.GetByteCount(path)} bytes, the limit is {PathMax - 1}");
        }

        foreach (var name in path.Split('/'))
        {
            if (Encoding.UTF8.GetByteCount(name) > NameMax)
            {
                return PathResolution.Fail($"file name too long: a name has {Encoding.UTF8.GetByteCount(name)} bytes, the limit is {NameMax}");
            }
        }

        return PathResolution.Ok(path);
    }

    /// <summary>Go's filepath.Clean for absolute paths: folds <c>//</c>, <c>.</c> and <c>..</c>, drops a trailing slash.</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }
}

public readonly record struct PathResolution(string Path, string? Error)
{
    public bool IsOk => Error is null;

    public static PathResolution Ok(string path) => new(path, null);

    public static PathResolution Fail(string error) => new(string.Empty, error);
}
