using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Snapshots;

/// <summary>What one collapse pass did; the orchestrator's <c>CollapseResult</c>.</summary>
/// <param name="Regions">Anonymous read-write private mappings with at least one aligned 2 MiB chunk.</param>
/// <param name="Chunks">Aligned 2 MiB chunks in those regions.</param>
/// <param name="Collapsed">Chunks MADV_COLLAPSE accepted (this includes chunks that already were huge pages).</param>
/// <param name="AlreadyHuge">Huge pages the regions held before the pass (AnonHugePages in smaps).</param>
/// <param name="Skipped">Chunks the kernel refused (not enough memory, unmovable pages, ...).</param>
public sealed record CollapseReport(int Regions, int Chunks, int Collapsed, int AlreadyHuge, int Skipped, long ElapsedMs);

/// <summary>
/// Asks the kernel to back envd's own anonymous memory with 2 MiB pages (MADV_COLLAPSE), so a resumed VM faults in
/// fewer pages.
/// </summary>
public static class HeapCollapser
{
    private const long HugePage = 2 * 1024 * 1024;

    public static CollapseReport Collapse(string procRoot)
    {
        var clock = Stopwatch.StartNew();
        int regions = 0, chunks = 0, collapsed = 0, alreadyHuge = 0, skipped = 0;
        foreach (var mapping in AnonymousMappings(File.ReadAllText(Path.Combine(procRoot, "self", "smaps"))))
        {
            var start = (mapping.Start + HugePage - 1) / HugePage * HugePage;
            var end = mapping.End / HugePage * HugePage;
            if (end <= start)
            {
                continue;
            }

            regions++;
            alreadyHuge += (int)(mapping.AnonHugeBytes / HugePage);
            for (var chunk = start; chunk < end; chunk += HugePage)
            {
                chunks++;
                if (Libc.madvise((nint)chunk, (nuint)HugePage, Libc.MadviseCollapse) == 0)
                {
                    collapsed++;
                }
                else
                {
                    skipped++;
                }
            }
        }

        return new CollapseReport(regions, chunks, collapsed, alreadyHuge, skipped, clock.ElapsedMilliseconds);
    }

    /// <summary>A mapping from smaps that is private, read-write and backed by no file (heap and anonymous mmaps).</summary>
    public sealed record AnonymousMapping(long Start, long End, long AnonHugeBytes);

    /// <summary>Parses <c>/proc/self/smaps</c> text.</summary>
    public static IReadOnlyList<AnonymousMapping> AnonymousMappings(string smaps)
    {
        var mappings = new List<AnonymousMapping>();
        AnonymousMapping? current = null;
        foreach (var line in smaps.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields[0].Contains('-') && fields.Length >= 5)
            {
                if (current is not null)
                {
                    mappings.Add(current);
                }

                var range = fields[0].Split('-');
                var path = fields.Length > 5 ? fields[5] : string.Empty;
                current = fields[1] == "rw-p" && fields[4] == "0" && path is "" or "[heap]"
                    ? new AnonymousMapping(long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), 0)
                    : null;
            }
            else if (current is not null && fields is ["AnonHugePages:", var kib, ..])
            {
                current = current with { AnonHugeBytes = long.Parse(kib, CultureInfo.InvariantCulture) * 1024 };
            }
        }

        if (current is not null)
        {
            mappings.Add(current);
        }

        return mappings;
    }
}
