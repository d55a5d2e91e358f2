using Envd.Linux.Files;

namespace Envd.Linux.Users;

/// <summary>
/// A small file's parsed content, parsed again only when the file is replaced or rewritten (a new inode, size or mtime),
/// so a read costs one stat. A missing or unreadable file reads as empty text.
/// </summary>
public sealed class ParsedFile<T>(string path, Func<string, T> parse)
{
    private Snapshot? _current;

    public T Value
    {
        get
        {
            // Stat before reading: a change that lands in between is seen as a new version by the next read.
            var version = StatOrNull();
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Version == version)
            {
                return current.Value;
            }

            var fresh = new Snapshot(version, parse(ReadOrEmpty()));
            Volatile.Write(ref _current, fresh);
            return fresh.Value;
        }
    }

    private FileStatus? StatOrNull()
    {
        try
        {
            return FileStatus.TryStat(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string ReadOrEmpty()
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private sealed record Snapshot(FileStatus? Version, T Value);
}
