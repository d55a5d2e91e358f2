using System.Collections.Immutable;
using Akka.Actor;
using Envd.Actors.Init;
using Envd.Linux.Trust;
using static Envd.Actors.Init.InitProtocol;

namespace Envd.Actors.Tests.Init;

public sealed class InitActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly DateTimeOffset HostTime = DateTimeOffset.Parse("2026-03-01T12:00:00Z");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly string _dir = Directory.CreateTempSubdirectory("envd-init-").FullName;
    private readonly RecordingClock _clock = new(HostTime);
    private readonly FakeMetadata _metadata = new();
    private readonly FakeMounter _mounter = new();
    private readonly InitSnapshot _snapshot = new(InitState.Initial(inFirecracker: true));
    private long _operations;

    private string HostsPath => Path.Combine(_dir, "hosts");

    private string BundlePath => Path.Combine(_dir, "ca-certificates.crt");

    [Fact]
    public void An_init_applies_every_field_and_publishes_the_new_state()
    {
        var init = StartInit();

        var result = Apply(init, new InitRequest(
            AccessToken: "token-1",
            Timestamp: HostTime,
            EnvVars: new Dictionary<string, string> { ["A"] = "1" },
            DefaultUser: "user",
            DefaultWorkdir: "/home/user/work"));

        Assert.Equal(InitOutcome.Applied, result.Outcome);
        var state = _snapshot.Current;
        Assert.Equal("token-1", state.AccessToken);
        Assert.Equal("1", state.Env["A"]);
        Assert.Equal(("user", "/home/user/work"), (state.DefaultUser, state.DefaultWorkdir));
        Assert.True(state.Initialized);
    }

    [Fact]
    public void The_clock_is_set_only_when_it_drifted_past_the_thresholds()
    {
        var init = StartInit();

        _clock.UtcNow = HostTime.AddMilliseconds(-40);
        Apply(init, new InitRequest(Timestamp: HostTime));
        Assert.Empty(_clock.Sets);

        _clock.UtcNow = HostTime.AddSeconds(-1);
        Apply(init, new InitRequest(Timestamp: HostTime.AddMilliseconds(1)));
        Assert.Equal([HostTime.AddMilliseconds(1)], _clock.Sets);

        _clock.UtcNow = HostTime.AddSeconds(6);
        Apply(init, new InitRequest(Timestamp: HostTime.AddMilliseconds(2)));
        Assert.Equal([HostTime.AddMilliseconds(1), HostTime.AddMilliseconds(2)], _clock.Sets);
    }

    [Fact]
    public void Outside_the_vm_the_clock_is_never_set()
    {
        var init = StartInit(syncClock: false);
        _clock.UtcNow = HostTime.AddHours(-1);

        Assert.Equal(InitOutcome.Applied, Apply(init, new InitRequest(Timestamp: HostTime)).Outcome);

        Assert.Empty(_clock.Sets);
    }

    [Fact]
    public void A_stale_init_answers_stale_and_changes_nothing()
    {
        var init = StartInit();
        Apply(init, new InitRequest(AccessToken: "token-1", Timestamp: HostTime, EnvVars: Vars(("A", "1")), DefaultUser: "user"));
        var before = _snapshot.Current;
        _clock.UtcNow = HostTime.AddHours(-1);

        var result = Apply(init, new InitRequest(
            AccessToken: "token-1", Timestamp: HostTime.AddTicks(-1), EnvVars: Vars(("B", "2")), DefaultUser: "other", DefaultWorkdir: "/tmp"));

        Assert.Equal(InitOutcome.Stale, result.Outcome);
        Assert.Same(before, _snapshot.Current);
        Assert.Empty(_clock.Sets);
        Assert.Equal(InitOutcome.Applied, Apply(init, new InitRequest(AccessToken: "token-1", Timestamp: HostTime)).Outcome);
    }

    [Fact]
    public void Another_token_or_a_reset_without_one_is_refused_and_changes_nothing()
    {
        var init = StartInit(metadata: false);
        Apply(init, new InitRequest(AccessToken: "token-1", EnvVars: Vars(("A", "1"))));
        var before = _snapshot.Current;

        var other = Apply(init, new InitRequest(AccessToken: "token-2", EnvVars: Vars(("B", "2"))));
        var reset = Apply(init, new InitRequest(EnvVars: Vars(("B", "2"))));

        Assert.Equal(new InitResult(InitOutcome.Unauthorized, "access token validation failed"), other);
        Assert.Equal(new InitResult(InitOutcome.Unauthorized, "access token reset not authorized"), reset);
        Assert.Same(before, _snapshot.Current);
    }

    [Fact]
    public void The_metadata_hash_authorises_a_new_token_and_is_not_asked_when_the_token_matches()
    {
        var init = StartInit();
        Apply(init, new InitRequest(AccessToken: "token-1"));
        var callsAfterSetup = _metadata.Calls;
        Apply(init, new InitRequest(AccessToken: "token-1"));
        Assert.Equal(callsAfterSetup, _metadata.Calls);

        _metadata.AccessTokenHash = InitRules.HashToken("token-2");
        var result = Apply(init, new InitRequest(AccessToken: "token-2"));

        Assert.Equal(InitOutcome.Applied, result.Outcome);
        Assert.Equal("token-2", _snapshot.Current.AccessToken);
    }

    [Fact]
    public void The_reset_hash_lets_an_init_without_a_token_clear_it()
    {
        var init = StartInit();
        Apply(init, new InitRequest(AccessToken: "token-1"));
        _metadata.AccessTokenHash = InitRules.ResetHash;

        Assert.Equal(InitOutcome.Applied, Apply(init, new InitRequest()).Outcome);

        Assert.Null(_snapshot.Current.AccessToken);
    }

    [Fact]
    public void An_unreachable_metadata_service_is_asked_twice_then_counts_as_no_hash()
    {
        var init = StartInit();
        _metadata.Unreachable = true;

        Assert.Equal(InitOutcome.Applied, Apply(init, new InitRequest(AccessToken: "token-1")).Outcome);
        Assert.Equal(2, _metadata.Calls);
        Assert.Equal(InitOutcome.Unauthorized, Apply(init, new InitRequest(AccessToken: "token-2")).Outcome);
        Assert.Equal(4, _metadata.Calls);
    }

    [Fact]
    public void The_hyperloop_ip_maps_the_events_host_and_sets_the_events_address()
    {
        File.WriteAllText(HostsPath, "127.0.0.1 localhost\n");
        var init = StartInit();

        Apply(init, new InitRequest(HyperloopIp: "192.0.2.1"));
        Assert.Equal("127.0.0.1 localhost\n192.0.2.1        events.e2b.local\n", File.ReadAllText(HostsPath));
        Assert.Equal("http://192.0.2.1", _snapshot.Current.Env[InitRules.EventsAddressVar]);

        Apply(init, new InitRequest(HyperloopIp: "fd00::7"));
        Assert.Equal("127.0.0.1 localhost\nfd00::7          events.e2b.local\n", File.ReadAllText(HostsPath));
        Assert.Equal("http://[fd00::7]", _snapshot.Current.Env[InitRules.EventsAddressVar]);
    }

    [Fact]
    public void An_invalid_hyperloop_ip_is_ignored()
    {
        var init = StartInit();

        Assert.Equal(InitOutcome.Applied, Apply(init, new InitRequest(HyperloopIp: "not-an-ip")).Outcome);

        Assert.False(File.Exists(HostsPath));
        Assert.False(_snapshot.Current.Env.ContainsKey(InitRules.EventsAddressVar));
    }

    [Fact]
    public void Volumes_are_remounted_only_when_the_lifecycle_changes()
    {
        var init = StartInit();
        VolumeMount[] volumes = [new("192.0.2.1:/a", "/mnt/a"), new("192.0.2.1:/b", "/mnt/b")];

        Apply(init, new InitRequest(LifecycleId: "life-1", VolumeMounts: volumes));
        Assert.Equal(2, _mounter.Mounts.Count);

        Apply(init, new InitRequest(LifecycleId: "life-1", VolumeMounts: volumes));
        Assert.Equal(2, _mounter.Mounts.Count);

        Apply(init, new InitRequest(LifecycleId: "life-2", VolumeMounts: volumes));
        Assert.Equal(4, _mounter.Mounts.Count);

        Apply(init, new InitRequest(VolumeMounts: [volumes[0]]));
        Apply(init, new InitRequest(LifecycleId: "", VolumeMounts: [volumes[0]]));
        Assert.Equal(5, _mounter.Mounts.Count);
        Assert.Equal(("192.0.2.1:/a", "/mnt/a"), _mounter.Mounts[4]);
    }

    [Fact]
    public void A_failed_mount_answers_invalid_keeps_the_earlier_fields_and_is_retried_next_time()
    {
        var init = StartInit();
        _mounter.FailingPaths.Add("/mnt/b");
        VolumeMount[] volumes = [new("192.0.2.1:/a", "/mnt/a"), new("192.0.2.1:/b", "/mnt/b")];

        var result = Apply(init, new InitRequest(AccessToken: "token-1", EnvVars: Vars(("A", "1")), DefaultUser: "user", LifecycleId: "life-1", VolumeMounts: volumes));

        Assert.Equal(InitOutcome.Invalid, result.Outcome);
        Assert.StartsWith("failed to setup NFS volumes: /mnt/b: mount 192.0.2.1:/b on /mnt/b failed", result.Message);
        var state = _snapshot.Current;
        Assert.Equal(("token-1", "1", "user"), (state.AccessToken, state.Env["A"], state.DefaultUser));
        Assert.False(state.Initialized);

        _mounter.FailingPaths.Clear();
        Assert.Equal(InitOutcome.Applied, Apply(init, new InitRequest(AccessToken: "token-1", LifecycleId: "life-1", VolumeMounts: volumes)).Outcome);
        Assert.Equal(["/mnt/a", "/mnt/b", "/mnt/b"], _mounter.Mounts.Select(m => m.Path).Order());
        Assert.True(_snapshot.Current.Initialized);
    }

    [Fact]
    public void The_ca_bundle_is_installed_and_a_failed_install_keeps_the_earlier_fields()
    {
        const string pem = "-----BEGIN CERTIFICATE-----\nE2B\n-----END CERTIFICATE-----\n";
        var init = StartInit();

        Assert.Equal(InitOutcome.Applied, Apply(init, new InitRequest(CaBundle: pem)).Outcome);
        Assert.Equal(pem, File.ReadAllText(BundlePath));

        File.Delete(BundlePath);
        Directory.CreateDirectory(BundlePath);
        var failed = Apply(init, new InitRequest(EnvVars: Vars(("A", "1")), CaBundle: pem.Replace("E2B", "NEW")));

        Assert.Equal(InitOutcome.Invalid, failed.Outcome);
        Assert.StartsWith("failed to install CA bundle: ", failed.Message);
        Assert.Equal("1", _snapshot.Current.Env["A"]);
    }

    [Fact]
    public void Concurrent_inits_run_one_after_the_other_in_arrival_order()
    {
        var init = StartInit();
        _mounter.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        init.Tell(new ApplyInit(new InitRequest(EnvVars: Vars(("ORDER", "first")), VolumeMounts: [new("192.0.2.1:/a", "/mnt/a")]), 1, default));
        init.Tell(new ApplyInit(new InitRequest(EnvVars: Vars(("ORDER", "second"))), 2, default));

        AwaitCondition(() => _mounter.Mounts.Count == 1, Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.False(_snapshot.Current.Env.ContainsKey("ORDER"));

        _mounter.Gate.SetResult();
        Assert.Equal(InitOutcome.Applied, ExpectMsg<InitResult>(Wait).Outcome);
        Assert.Equal(InitOutcome.Applied, ExpectMsg<InitResult>(Wait).Outcome);
        Assert.Equal("second", _snapshot.Current.Env["ORDER"]);
    }

    [Fact]
    public void A_request_that_gave_up_while_queued_changes_nothing()
    {
        var init = StartInit();
        var before = _snapshot.Current;

        init.Tell(new ApplyInit(new InitRequest(AccessToken: "token-1"), 1, new CancellationToken(canceled: true)));

        Assert.Equal(InitOutcome.Cancelled, ExpectMsg<InitResult>(Wait).Outcome);
        Assert.Same(before, _snapshot.Current);
    }

    [Fact]
    public void Internal_variables_are_set_by_message_and_survive_env_replacement()
    {
        var init = StartInit();

        init.Tell(new SetInternalEnv(InitRules.SandboxIdVar, "sandbox-1"));
        Apply(init, new InitRequest(EnvVars: Vars((InitRules.SandboxIdVar, "spoofed"), ("A", "1"))));

        Assert.Equal("sandbox-1", _snapshot.Current.Env[InitRules.SandboxIdVar]);
        Assert.Equal("1", _snapshot.Current.Env["A"]);
    }

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private IActorRef StartInit(bool syncClock = true, bool metadata = true) =>
        Sys.ActorOf(InitActor.Props(
            _snapshot,
            new InitEnvironment(
                _clock,
                syncClock,
                metadata ? _metadata : null,
                MetadataRoute: null,
                _mounter,
                HostsPath,
                new CaBundleInstaller(BundlePath, Path.Combine(_dir, "local", "e2b-ca.crt"))),
            workloadFreezer: null,
            metadataPoller: null));

    private InitResult Apply(IActorRef init, InitRequest request)
    {
        init.Tell(new ApplyInit(request, Interlocked.Increment(ref _operations), default));
        return ExpectMsg<InitResult>(Wait);
    }

    private static ImmutableDictionary<string, string> Vars(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableDictionary(p => p.Key, p => p.Value);
}
