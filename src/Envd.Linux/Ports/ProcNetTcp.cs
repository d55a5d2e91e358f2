using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Envd.Linux.Ports;

/// <summary>A TCP socket in LISTEN state that only loopback clients can reach.</summary>
public sealed record LoopbackListener(IPAddress Address, int Port);

/// <summary>Reads the kernel's TCP socket tables (<c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>).</summary>
public static class ProcNetTcp
{
    private const string ListenState = "0A";

    /// <summary>The listeners bound to 127.0.0.1 or ::1 (IPv4-mapped loopback counts as 127.0.0.1), in both tables.</summary>
    public static IReadOnlyList<LoopbackListener> ReadLoopbackListeners(string procRoot)
    {
        var listeners = new List<LoopbackListener>();
        foreach (var (file, family) in new[] { ("tcp", AddressFamily.InterNetwork), ("tcp6", AddressFamily.InterNetworkV6) })
        {
            var path = Path.Combine(procRoot, "net", file);
            if (File.Exists(path))
            {
                listeners.AddRange(LoopbackListeners(File.ReadAllText(path), family));
            }
        }

        return listeners;
    }

    /// <summary>Parses one table; lines that do not parse are skipped, as the kernel never writes them.</summary>
    public static IEnumerable<LoopbackListener> LoopbackListeners(string table, AddressFamily family)
    {
        foreach (var line in table.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != ListenState)
            {
                continue;
            }

            var local = fields[1].Split(':');
            if (local.Length != 2
                || !int.TryParse(local[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)
                || ParseAddress(local[0], family) is not { } address)
            {
                continue;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            if (address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback))
            {
                yield return new LoopbackListener(address, port);
            }
        }
    }

    /// <summary>The kernel prints each 32-bit word of the address in host byte order (little-endian here).</summary>
    private static IPAddress? ParseAddress(string hex, AddressFamily family)
    {
        var expected = family == AddressFamily.InterNetwork ? 8 : 32;
        if (hex.Length != expected)
        {
            return null;
        }

        var bytes = new byte[expected / 2];
        for (var word = 0; word < expected / 8; word++)
        {
            if (!uint.TryParse(hex.AsSpan(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }

        return new IPAddress(bytes);
    }
}
