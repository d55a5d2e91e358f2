using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

// GC AllocationTick events fire about every 100 KB allocated, each with its type and stack: summing their amounts by
// type and by the frames on their stacks estimates who allocates what, well enough to rank the call sites.
if (args.Length is < 1 or > 2)
{
    await Console.Error.WriteLineAsync("usage: allocation-report TRACE.nettrace [TOP]");
    return 2;
}

var top = args.Length == 2 ? int.Parse(args[1]) : 25;
var etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
using var log = new TraceLog(etlx);
var source = log.Events.GetSource();
var byType = new Dictionary<string, long>();
var byMethod = new Dictionary<string, long>();
var byNearestAppFrame = new Dictionary<string, long>();
long total = 0;
source.Clr.GCAllocationTick += tick =>
{
    var bytes = tick.AllocationAmount64;
    total += bytes;
    Add(byType, tick.TypeName ?? "?", bytes);
    var seen = new HashSet<string>();
    string? nearestApp = null;
    for (var frame = tick.CallStack(); frame is not null; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(name))
        {
            continue;
        }

        if (seen.Add(name))
        {
            Add(byMethod, name, bytes);
        }

        var module = frame.CodeAddress.ModuleName ?? "";
        if (nearestApp is null && (module.StartsWith("Envd", StringComparison.Ordinal) || module.StartsWith("envd", StringComparison.Ordinal)
            || module.StartsWith("Akka", StringComparison.Ordinal)))
        {
            nearestApp = $"{module}!{name}";
        }
    }

    Add(byNearestAppFrame, nearestApp ?? "(no Envd or Akka frame: runtime, Kestrel or framework only)", bytes);
};
source.Process();
File.Delete(etlx);

Console.WriteLine($"sampled allocations: {total / 1048576.0:F1} MiB over {log.SessionDuration.TotalSeconds:F1} s");
Print("by type", byType);
Print("by nearest Envd or Akka frame (who asked for it)", byNearestAppFrame);
Print("by method on the stack (inclusive)", byMethod);
return 0;

void Print(string title, Dictionary<string, long> totals)
{
    Console.WriteLine();
    Console.WriteLine($"## {title}");
    foreach (var (name, bytes) in totals.OrderByDescending(kv => kv.Value).Take(top))
    {
        Console.WriteLine($"{bytes / 1048576.0,10:F1} MiB {100.0 * bytes / Math.Max(1, total),6:F1}%  {(name.Length > 200 ? name[..200] : name)}");
    }
}

static void Add(Dictionary<string, long> totals, string key, long bytes) =>
    totals[key] = totals.GetValueOrDefault(key) + bytes;
