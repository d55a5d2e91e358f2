using System.Net;
using System.Text;

namespace Envd.Linux.Hosts;

/// <summary>Maps one host name to one address in a hosts file, keeping every other line as it was.</summary>
public static class HostsFile
{
    /// <summary>Returns the rewritten text, or null when the mapping is already exactly right.</summary>
    public static string? Rewrite(string text, string hostName, IPAddress address)
    {
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var ip = address.ToString();
        var mapped = lines.Where(l => Names(l).Contains(hostName)).ToList();
        if (mapped.Count == 1 && Address(mapped[0]) == ip && Names(mapped[0]).Count == 1)
        {
            return null;
        }

        var output = new StringBuilder();
        foreach (var line in lines)
        {
            var names = Names(line);
            if (!names.Contains(hostName))
            {
                output.Append(line).Append('\n');
                continue;
            }

            var others = names.Where(n => n != hostName).ToList();
            if (others.Count > 0)
            {
                output.Append(Address(line)).Append(' ').Append(string.Join(' ', others)).Append('\n');
            }
        }

        output.Append(ip.PadRight(16)).Append(' ').Append(hostName).Append('\n');
        return output.ToString();
    }

    private static string Address(string line) => Fields(line).FirstOrDefault() ?? string.Empty;

    private static List<string> Names(string line) => Fields(line).Skip(1).ToList();

    private static string[] Fields(string line)
    {
        var hash = line.IndexOf('#');
        var content = hash >= 0 ? line[..hash] : line;
        return content.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
    }
}
