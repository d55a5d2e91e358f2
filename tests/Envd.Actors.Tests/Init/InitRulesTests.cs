using System.Collections.Immutable;
using Envd.Actors.Init;

namespace Envd.Actors.Tests.Init;

public sealed class InitRulesTests
{
    private const string ResetHash =
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    private const string SecretHash =
        "00d4a74bd9ccee87a2cc19e391a8a1642f7e35e1670bedc1a165c70164a3d236e35453d4753404c28e60f7d15e6b98029d49dc81d33932d22d8e836ef3fc53fa";

    private static readonly InitState Fresh = InitState.Initial(inFirecracker: true);
    private static readonly InitState Secured = Fresh with { AccessToken = "current" };

    [Fact]
    public void Token_hashes_match_the_appendix_vectors()
    {
        Assert.Equal(ResetHash, InitRules.HashToken(""));
        Assert.Equal(ResetHash, InitRules.ResetHash);
        Assert.Equal(SecretHash, InitRules.HashToken("secret-access-token"));
    }

    [Theory]
    [InlineData(null, "new", null, TokenCheck.Accepted)]                            // first-time setup
    [InlineData(null, null, null, TokenCheck.Accepted)]                             // first-time setup without a token
    [InlineData(null, null, "", TokenCheck.Accepted)]                               // an empty hash is no hash
    [InlineData("current", "current", null, TokenCheck.Accepted)]                   // same token re-init
    [InlineData("current", "other", null, TokenCheck.ValidationFailed)]             // another token
    [InlineData("current", null, null, TokenCheck.ResetNotAuthorized)]              // reset without a token
    [InlineData("current", "secret-access-token", SecretHash, TokenCheck.Accepted)] // the metadata service vouches for it
    [InlineData(null, "secret-access-token", SecretHash, TokenCheck.Accepted)]
    [InlineData(null, "other", SecretHash, TokenCheck.ValidationFailed)]            // a hash rules out first-time setup
    [InlineData("current", "other", SecretHash, TokenCheck.ValidationFailed)]
    [InlineData("current", null, ResetHash, TokenCheck.Accepted)]                   // reset authorised by hash("")
    [InlineData(null, null, ResetHash, TokenCheck.Accepted)]
    [InlineData("current", null, SecretHash, TokenCheck.ResetNotAuthorized)]
    [InlineData(null, null, SecretHash, TokenCheck.ResetNotAuthorized)]
    [InlineData("current", "current", SecretHash, TokenCheck.Accepted)]             // the fast path needs no hash
    public void Token_matrix(string? current, string? requested, string? metadataHash, TokenCheck expected)
    {
        Assert.Equal(expected, InitRules.CheckToken(Fresh with { AccessToken = current }, requested, metadataHash));
    }

    [Theory]
    [InlineData("token", "token", true)]
    [InlineData("token", "tokem", false)]
    [InlineData("token", "token-longer", false)]
    [InlineData("token", "", false)]
    [InlineData("", "", true)]
    public void Tokens_compare_by_content(string expected, string presented, bool equal)
    {
        Assert.Equal(equal, InitRules.TokensEqual(expected, presented));
    }

    [Fact]
    public void The_ordering_guard_accepts_ties_and_newer_timestamps_and_rejects_older_ones()
    {
        var t = DateTimeOffset.Parse("2026-01-01T00:00:00.0000001Z");
        var state = InitRules.RecordTimestamp(Fresh, t);

        Assert.True(InitRules.IsFresh(Fresh, t));
        Assert.True(InitRules.IsFresh(state, null));
        Assert.True(InitRules.IsFresh(state, t));
        Assert.True(InitRules.IsFresh(state, t.AddTicks(1)));
        Assert.False(InitRules.IsFresh(state, t.AddTicks(-1)));
        Assert.True(InitRules.IsFresh(state, t.ToOffset(TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Recording_keeps_the_largest_timestamp()
    {
        var t = DateTimeOffset.Parse("2026-01-01T00:00:00Z");

        var state = InitRules.RecordTimestamp(InitRules.RecordTimestamp(InitRules.RecordTimestamp(Fresh, t), t.AddSeconds(-5)), null);

        Assert.False(InitRules.IsFresh(state, t.AddTicks(-1)));
        Assert.True(InitRules.IsFresh(state, t));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(-50, false)]      // exactly 50 ms behind: left alone
    [InlineData(-51, true)]
    [InlineData(-60_000, true)]
    [InlineData(5_000, false)]    // exactly 5 s ahead: left alone
    [InlineData(5_001, true)]
    [InlineData(4_999, false)]
    public void The_clock_is_set_only_past_50_ms_behind_or_5_s_ahead(int sandboxAheadMs, bool set)
    {
        var host = DateTimeOffset.Parse("2026-01-01T00:00:00Z");

        Assert.Equal(set, InitRules.ShouldSetClock(host.AddMilliseconds(sandboxAheadMs), host));
    }

    [Fact]
    public void EnvVars_replace_the_user_set_and_ignore_internal_keys()
    {
        var state = InitRules.ReplaceUserEnv(Fresh, Vars(("A", "1"), ("B", "2")));

        state = InitRules.ReplaceUserEnv(state, Vars(("B", "3"), ("C", "4"), (InitRules.SandboxVar, "hijack"), (InitRules.SandboxIdVar, "x")));

        Assert.Equal(Vars(("B", "3"), ("C", "4")), state.UserEnv);
        Assert.Equal("true", state.Env[InitRules.SandboxVar]);
        Assert.False(state.Env.ContainsKey(InitRules.SandboxIdVar));
        Assert.Equal(Vars((InitRules.SandboxVar, "true"), ("B", "3"), ("C", "4")), state.Env);
    }

    [Fact]
    public void An_empty_map_clears_the_user_set()
    {
        var state = InitRules.ReplaceUserEnv(InitRules.ReplaceUserEnv(Fresh, Vars(("A", "1"))), Vars());

        Assert.Empty(state.UserEnv);
        Assert.Equal(Vars((InitRules.SandboxVar, "true")), state.Env);
    }

    [Fact]
    public void An_internal_entry_overrides_and_then_shields_a_user_entry_of_the_same_name()
    {
        var state = InitRules.ReplaceUserEnv(Fresh, Vars(("E2B_CUSTOM", "user")));

        state = InitRules.SetInternal(state, "E2B_CUSTOM", "internal");
        state = InitRules.ReplaceUserEnv(state, Vars(("E2B_CUSTOM", "user-again")));

        Assert.Equal("internal", state.Env["E2B_CUSTOM"]);
        Assert.Empty(state.UserEnv);
    }

    [Fact]
    public void A_request_token_replaces_the_current_one_and_no_token_clears_it()
    {
        Assert.Equal("new", InitRules.ApplyToken(Secured, "new").AccessToken);
        Assert.Null(InitRules.ApplyToken(Secured, null).AccessToken);
    }

    [Fact]
    public void Empty_defaults_leave_the_current_user_and_workdir()
    {
        var state = InitRules.ApplyDefaults(Fresh, "user", "/home/user/work");

        Assert.Equal(("user", "/home/user/work"), (state.DefaultUser, state.DefaultWorkdir));
        state = InitRules.ApplyDefaults(state, "", null);
        Assert.Equal(("user", "/home/user/work"), (state.DefaultUser, state.DefaultWorkdir));
    }

    [Fact]
    public void The_initial_state_is_root_without_a_token_and_marks_the_sandbox_kind()
    {
        Assert.Equal(("root", null, null), (Fresh.DefaultUser, Fresh.AccessToken, Fresh.DefaultWorkdir));
        Assert.Equal("false", InitState.Initial(inFirecracker: false).Env[InitRules.SandboxVar]);
    }

    private static ImmutableSortedDictionary<string, string> Vars(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
