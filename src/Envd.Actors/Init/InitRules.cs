using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Envd.Actors.Init;

public enum TokenCheck
{
    Accepted,
    ResetNotAuthorized,
    ValidationFailed,
}

/// <summary>The rules of <c>/init</c>, as pure functions over <see cref="InitState"/>.</summary>
public static class InitRules
{
    public const string SandboxVar = "E2B_SANDBOX";
    public const string SandboxIdVar = "E2B_SANDBOX_ID";
    public const string TemplateIdVar = "E2B_TEMPLATE_ID";
    public const string EventsAddressVar = "E2B_EVENTS_ADDRESS";

    public static readonly ImmutableHashSet<string> InternalKeys =
        [SandboxVar, SandboxIdVar, TemplateIdVar, EventsAddressVar];

    /// <summary>The clock is set only when it is more than this far behind the host.</summary>
    public static readonly TimeSpan MaxBehind = TimeSpan.FromMilliseconds(50);

    /// <summary>The clock is set only when it is more than this far ahead of the host.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromSeconds(5);

    /// <summary>hex(SHA-512("")): a metadata hash that authorises clearing the token.</summary>
    public static readonly string ResetHash = HashToken(string.Empty);

    /// <summary>
    /// Whether <paramref name="requestToken"/> may configure the daemon: the current token, a token whose SHA-512 the
    /// metadata service vouches for, or anything at first-time setup.
    /// </summary>
    public static TokenCheck CheckToken(InitState state, string? requestToken, string? metadataHash)
    {
        if (state.AccessToken is not null && requestToken is not null && TokensEqual(state.AccessToken, requestToken))
        {
            return TokenCheck.Accepted;
        }

        if (!string.IsNullOrEmpty(metadataHash))
        {
            var presented = HashToken(requestToken ?? string.Empty);
            if (TokensEqual(presented, metadataHash.ToLowerInvariant()))
            {
                return TokenCheck.Accepted;
            }
        }

        if (state.AccessToken is null && string.IsNullOrEmpty(metadataHash))
        {
            return TokenCheck.Accepted;
        }

        return requestToken is null ? TokenCheck.ResetNotAuthorized : TokenCheck.ValidationFailed;
    }

    /// <summary>The ordering guard: a request without a timestamp, or with one no older than any applied, is fresh.</summary>
    public static bool IsFresh(InitState state, DateTimeOffset? timestamp) =>
        timestamp is null || state.LatestTimestampNanos is null || ToUnixNanos(timestamp.Value) >= state.LatestTimestampNanos;

    public static InitState RecordTimestamp(InitState state, DateTimeOffset? timestamp) =>
        timestamp is null ? state : state with { LatestTimestampNanos = Math.Max(state.LatestTimestampNanos ?? long.MinValue, ToUnixNanos(timestamp.Value)) };

    /// <summary>Set the clock when it lags the host by more than 50 ms or leads it by more than 5 s (boundaries excluded).</summary>
    public static bool ShouldSetClock(DateTimeOffset sandboxNow, DateTimeOffset hostTime)
    {
        var drift = sandboxNow - hostTime;
        return drift < -MaxBehind || drift > MaxAhead;
    }

    /// <summary>Replaces the user set; internal keys in <paramref name="vars"/> are ignored.</summary>
    public static InitState ReplaceUserEnv(InitState state, IReadOnlyDictionary<string, string> vars) =>
        state with
        {
            UserEnv = vars.Where(kv => !InternalKeys.Contains(kv.Key) && !state.InternalEnv.ContainsKey(kv.Key))
                .ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        };

    /// <summary>An internal entry always wins, even over a user entry of the same name.</summary>
    public static InitState SetInternal(InitState state, string key, string value) =>
        state with { InternalEnv = state.InternalEnv.SetItem(key, value), UserEnv = state.UserEnv.Remove(key) };

    /// <summary>A validated request installs its token, or clears the current one when it carries none.</summary>
    public static InitState ApplyToken(InitState state, string? requestToken) => state with { AccessToken = requestToken };

    public static InitState ApplyDefaults(InitState state, string? defaultUser, string? defaultWorkdir) =>
        state with
        {
            DefaultUser = string.IsNullOrEmpty(defaultUser) ? state.DefaultUser : defaultUser,
            DefaultWorkdir = string.IsNullOrEmpty(defaultWorkdir) ? state.DefaultWorkdir : defaultWorkdir,
        };

    /// <summary>Constant-time in the content of both strings, whatever their lengths.</summary>
    public static bool TokensEqual(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)),
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    public static string HashToken(string token) =>
        Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(token)));

    private static long ToUnixNanos(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100;
}
