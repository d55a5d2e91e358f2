using System.Diagnostics;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>
/// Real Linux accounts for the tests to act as. Created once with useradd (the suite runs as root, like the daemon),
/// and reused by later runs.
/// </summary>
public static class TestUsers
{
    /// <summary>An unprivileged user with a home directory.</summary>
    public const string Regular = "envdtest";

    private static readonly Lazy<bool> Created = new(() =>
    {
        Ensure(Regular);
        return true;
    });

    public static string Home => $"/home/{Regular}";

    public static void EnsureCreated() => _ = Created.Value;

    private static void Ensure(string name)
    {
        if (Run("id", "-u", name) == 0)
        {
            return;
        }

        if (Run("useradd", "--create-home", "--shell", "/bin/bash", name) != 0)
        {
            throw new InvalidOperationException($"useradd {name} failed; the tests must run as root");
        }
    }

    private static int Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
