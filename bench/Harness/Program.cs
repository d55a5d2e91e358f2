using EnvdBench;

var options = Options.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync(Options.Usage);
    return 2;
}

using var stop = new CancellationTokenSource(options.Deadline);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

if (options.ProcessOnly)
{
    await ProcessLatency.RunAsync(options, stop.Token);
    return 0;
}

var run = await Benchmark.RunAsync(options, stop.Token);
Report.Write(options, run);
Console.WriteLine($"wrote {options.Results}");
return 0;
