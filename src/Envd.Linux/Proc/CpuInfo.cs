using System.Globalization;

namespace Envd.Linux.Proc;

/// <summary>Pure parser for <c>/proc/cpuinfo</c>.</summary>
public static class CpuInfo
{
    /// <summary>Logical CPUs: the <c>processor : N</c> lines (any case), as gopsutil counts them.</summary>
    public static int CountProcessors(string text) =>
        text.Split('\n').Count(line =>
        {
            var colon = line.IndexOf(':');
            return colon >= 0
                && line.StartsWith("processor", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _);
        });
}
