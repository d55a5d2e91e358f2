using System.Globalization;

namespace Envd.Linux.Proc;

/// <summary>The <c>/proc/meminfo</c> figures <c>/metrics</c> reports, in bytes.</summary>
public sealed record MemInfo(ulong Total, ulong Available, ulong Cached, ulong SReclaimable)
{
    /// <summary>What gopsutil v4 reports as used: everything the kernel could not hand out without swapping.</summary>
    public ulong Used => Total > Available ? Total - Available : 0;

    public ulong Cache => Cached + SReclaimable;

    /// <exception cref="FormatException">MemTotal is missing or a value is not a number.</exception>
    public static MemInfo Parse(string text)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (!ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"/proc/meminfo value is not a number: {line}");
            }

            values[line[..colon]] = fields.Length > 1 && fields[1] == "kB" ? value * 1024 : value;
        }

        if (!values.TryGetValue("MemTotal", out var total))
        {
            throw new FormatException("/proc/meminfo has no MemTotal");
        }

        var cached = values.GetValueOrDefault("Cached");
        // Kernels before 3.14 have no MemAvailable; free plus page cache is gopsutil's fallback estimate.
        var available = values.TryGetValue("MemAvailable", out var reported) ? reported : values.GetValueOrDefault("MemFree") + cached;
        return new MemInfo(total, available, cached, values.GetValueOrDefault("SReclaimable"));
    }
}
