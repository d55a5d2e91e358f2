using System.Diagnostics;
using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// Runs a property over generated cases, one after another, from a fixed seed and for a time budget: the same seed
/// always yields the same sequence, so a failing case number reproduces. <c>ENVD_FUZZ_SECONDS</c> lengthens the
/// budget and <c>ENVD_FUZZ_SEED</c> picks another sequence (<c>tests/Reliability/fuzz.sh</c> sets both).
/// </summary>
public static class Fuzz
{
    public const string SecondsVariable = "ENVD_FUZZ_SECONDS";
    public const string SeedVariable = "ENVD_FUZZ_SEED";

    /// <summary>CI's budget per property: long enough for thousands of loopback requests, short enough for 2 busy cores.</summary>
    private const double DefaultSeconds = 4;
    private const ulong DefaultSeed = 0xE2B_E5D_0009;

    /// <summary>Even a starved machine runs this many cases, so a slow CI still covers every branch of the generators.</summary>
    private const int MinimumCases = 150;

    public static async Task<int> RunAsync<T>(Gen<T> gen, Func<T, Task> property, Func<T, string> describe, ITestOutputHelper output)
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), CultureInfo.InvariantCulture, out var chosen) ? chosen : DefaultSeed;
        var seconds = double.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), CultureInfo.InvariantCulture, out var asked) ? asked : DefaultSeconds;
        var random = new PCG(1, seed);
        var clock = Stopwatch.StartNew();
        var cases = 0;
        while (cases < MinimumCases || clock.Elapsed.TotalSeconds < seconds)
        {
            var value = gen.Generate(random, null, out _);
            try
            {
                await property(value);
            }
            catch (Exception e)
            {
                throw new FuzzFailure($"case {cases} of seed {seed} ({SeedVariable}={seed} reproduces it) failed: {e.Message}\n{describe(value)}", e);
            }

            cases++;
        }

        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s from seed {seed}");
        return cases;
    }
}

public sealed class FuzzFailure(string message, Exception inner) : Exception(message, inner);
