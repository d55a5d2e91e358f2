using System.Globalization;
using Envd.Actors.Hosting;

namespace Envd.Web.Hosting;

/// <summary>What the command line asks for: run with settings, or print something and exit.</summary>
public sealed record CommandLine(EnvdSettings Settings, bool PrintVersion, bool PrintCommit, string? Error)
{
    /// <summary>Go flag syntax: one or two dashes, <c>-port 1</c> or <c>-port=1</c>, bools bare or <c>=true|false</c>.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var settings = new EnvdSettings();
        bool version = false, commit = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-" || arg == "--")
            {
                return Fail($"unexpected argument: {arg}");
            }

            var name = arg.TrimStart('-');
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            switch (name)
            {
                case "port":
                    value ??= i + 1 < args.Count ? args[++i] : null;
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    {
                        return Fail($"invalid value \"{value}\" for flag -port");
                    }

                    settings = settings with { Port = port };
                    break;
                case "cgroup-root":
                    value ??= i + 1 < args.Count ? args[++i] : null;
                    if (string.IsNullOrEmpty(value))
                    {
                        return Fail("flag needs an argument: -cgroup-root");
                    }

                    settings = settings with { CgroupRoot = value };
                    break;
                case "isnotfc" or "verbose" or "no-cgroups" or "version" or "commit":
                    if (!TryBool(value, out var on))
                    {
                        return Fail($"invalid boolean value \"{value}\" for -{name}");
                    }

                    switch (name)
                    {
                        case "isnotfc": settings = settings with { IsNotFc = on }; break;
                        case "verbose": settings = settings with { Verbose = on }; break;
                        case "no-cgroups": settings = settings with { NoCgroups = on }; break;
                        case "version": version = on; break;
                        case "commit": commit = on; break;
                    }

                    break;
                default:
                    return Fail($"flag provided but not defined: -{name}");
            }
        }

        return new CommandLine(settings, version, commit, null);

        CommandLine Fail(string error) => new(settings, false, false, error);
    }

    private static bool TryBool(string? value, out bool result)
    {
        switch (value)
        {
            case null or "1" or "t" or "T" or "true" or "TRUE" or "True":
                result = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }
}
