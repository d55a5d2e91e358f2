using System.Collections.Immutable;

namespace Envd.Actors.Init;

/// <summary>Everything <c>/init</c> configures. Immutable: the InitActor swaps whole states, readers see snapshots.</summary>
public sealed record InitState(
    ImmutableSortedDictionary<string, string> InternalEnv,
    ImmutableSortedDictionary<string, string> UserEnv,
    string? AccessToken,
    string DefaultUser,
    string? DefaultWorkdir,
    long? LatestTimestampNanos,
    bool Initialized,
    string? LastCaBundle)
{
    public static InitState Initial(bool inFirecracker) => new(
        ImmutableSortedDictionary<string, string>.Empty.Add(InitRules.SandboxVar, inFirecracker ? "true" : "false"),
        ImmutableSortedDictionary<string, string>.Empty,
        AccessToken: null,
        DefaultUser: "root",
        DefaultWorkdir: null,
        LatestTimestampNanos: null,
        Initialized: false,
        LastCaBundle: null);

    /// <summary>Internal and user variables together; the user set never holds an internal key.</summary>
    public ImmutableSortedDictionary<string, string> Env => UserEnv.SetItems(InternalEnv);
}
