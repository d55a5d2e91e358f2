using Envd.Web.Hosting;

var commandLine = CommandLine.Parse(args);
if (commandLine.Error is not null)
{
    await Console.Error.WriteLineAsync(commandLine.Error);
    return 2;
}

if (commandLine.PrintVersion)
{
    Console.WriteLine(EnvdVersion.Upstream);
    return 0;
}

if (commandLine.PrintCommit)
{
    Console.WriteLine(EnvdVersion.Commit);
    return 0;
}

var app = EnvdApp.Build(commandLine.Settings);
await app.RunAsync();
return 0;
