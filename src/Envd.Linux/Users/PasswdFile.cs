namespace Envd.Linux.Users;

/// <summary>Pure parsers for the colon-separated passwd and group formats.</summary>
public static class PasswdFile
{
    public sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home, string Shell);

    public sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);

    public static IEnumerable<PasswdEntry> ParsePasswd(string text)
    {
        foreach (var fields in Records(text))
        {
            if (fields.Length < 7 || !uint.TryParse(fields[2], out var uid) || !uint.TryParse(fields[3], out var gid))
            {
                continue;
            }

            yield return new PasswdEntry(fields[0], uid, gid, fields[5], fields[6]);
        }
    }

    public static IEnumerable<GroupEntry> ParseGroup(string text)
    {
        foreach (var fields in Records(text))
        {
            if (fields.Length < 4 || !uint.TryParse(fields[2], out var gid))
            {
                continue;
            }

            var members = fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            yield return new GroupEntry(fields[0], gid, members);
        }
    }

    private static IEnumerable<string[]> Records(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith('+') || line.StartsWith('-'))
            {
                continue;
            }

            yield return line.Split(':');
        }
    }
}
