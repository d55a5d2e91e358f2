using System.Net;
using Akka.Actor;
using Akka.Event;
using Envd.Actors.Freeze;
using Envd.Actors.Metadata;
using Envd.Linux.Hosts;
using static Envd.Actors.Init.InitProtocol;

namespace Envd.Actors.Init;

/// <summary>
/// Owns the init state. Each /init runs to completion before the next one starts, so concurrent calls are
/// serialized by the mailbox; every change is published to the <see cref="InitSnapshot"/>.
/// </summary>
public sealed class InitActor : ReceiveActor
{
    public const string EventsHost = "events.e2b.local";
    private static readonly TimeSpan MountBudget = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MetadataBudget = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollAfterInit = TimeSpan.FromSeconds(60);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly InitSnapshot _snapshot;
    private readonly InitEnvironment _environment;
    private readonly IActorRef? _workloadFreezer;
    private readonly IActorRef? _metadataPoller;
    private readonly Dictionary<string, string> _mountedLifecycles = new(StringComparer.Ordinal);
    private InitState _state;

    /// <param name="workloadFreezer">Thaws the workload after every authorized /init; null where nothing freezes it.</param>
    /// <param name="metadataPoller">Finds the sandbox ids at startup and after each /init; null outside the VM.</param>
    public InitActor(InitSnapshot snapshot, InitEnvironment environment, IActorRef? workloadFreezer, IActorRef? metadataPoller)
    {
        _snapshot = snapshot;
        _environment = environment;
        _workloadFreezer = workloadFreezer;
        _metadataPoller = metadataPoller;
        _state = snapshot.Current;
        ReceiveAsync<ApplyInit>(HandleApplyInit);
        Receive<SetInternalEnv>(HandleSetInternalEnv);
        Receive<FreezeProtocol.ThawResult>(HandleThawed);
    }

    public static Props Props(InitSnapshot snapshot, InitEnvironment environment, IActorRef? workloadFreezer, IActorRef? metadataPoller) =>
        Akka.Actor.Props.Create(() => new InitActor(snapshot, environment, workloadFreezer, metadataPoller));

    /// <summary>At startup the metadata service is asked with no deadline: the ids are needed whenever it answers.</summary>
    protected override void PreStart() => _metadataPoller?.Tell(new MetadataProtocol.PollMetadata(null));

    private void HandleSetInternalEnv(SetInternalEnv message)
    {
        Publish(InitRules.SetInternal(_state, message.Key, message.Value));
        _log.Info("Internal env {Key} set", message.Key);
    }

    private async Task HandleApplyInit(ApplyInit message)
    {
        var sender = Sender;
        var result = await Apply(message);
        if (result.Message is null)
        {
            _log.Info("Init {OperationId}: {Outcome}", message.OperationId, result.Outcome);
        }
        else
        {
            _log.Info("Init {OperationId}: {Outcome}, {Reason}", message.OperationId, result.Outcome, result.Message);
        }

        if (result.Outcome is not (InitOutcome.Unauthorized or InitOutcome.Cancelled))
        {
            // A resumed sandbox comes back frozen; any authorized /init, even a stale one, lets it run again.
            _workloadFreezer?.Tell(new FreezeProtocol.ThawWorkload(CancellationToken.None));
        }

        if (result.Outcome is InitOutcome.Applied or InitOutcome.Stale)
        {
            // After a resume the metadata may describe a new sandbox: learn it again, for a minute at most.
            _metadataPoller?.Tell(new MetadataProtocol.PollMetadata(PollAfterInit));
        }

        sender.Tell(result);
    }

    private void HandleThawed(FreezeProtocol.ThawResult result)
    {
        if (result.Failures.Count > 0)
        {
            _log.Warning("Thaw after /init left {0} cgroups frozen", result.Failures.Count);
        }
    }

    private async Task<InitResult> Apply(ApplyInit message)
    {
        if (message.Aborted.IsCancellationRequested)
        {
            return new InitResult(InitOutcome.Cancelled);
        }

        var request = message.Request;
        var check = InitRules.CheckToken(_state, request.AccessToken, await MetadataTokenHash(request.AccessToken));
        switch (check)
        {
            case TokenCheck.ResetNotAuthorized:
                return new InitResult(InitOutcome.Unauthorized, "access token reset not authorized");
            case TokenCheck.ValidationFailed:
                return new InitResult(InitOutcome.Unauthorized, "access token validation failed");
        }

        if (!InitRules.IsFresh(_state, request.Timestamp))
        {
            return new InitResult(InitOutcome.Stale);
        }

        var state = InitRules.RecordTimestamp(_state, request.Timestamp);
        SyncClock(request.Timestamp);
        if (request.EnvVars is not null)
        {
            state = InitRules.ReplaceUserEnv(state, request.EnvVars);
        }

        state = InitRules.ApplyToken(state, request.AccessToken);
        if (!string.IsNullOrEmpty(request.HyperloopIp))
        {
            state = MapEventsHost(state, request.HyperloopIp);
        }

        state = InitRules.ApplyDefaults(state, request.DefaultUser, request.DefaultWorkdir);
        if (!string.IsNullOrEmpty(request.CaBundle))
        {
            try
            {
                state = state with { LastCaBundle = _environment.CaBundle.Install(request.CaBundle, state.LastCaBundle) };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Publish(state);
                return new InitResult(InitOutcome.Invalid, $"failed to install CA bundle: {e.Message}");
            }
        }

        if (request.VolumeMounts is { Count: > 0 } mounts && _environment.Mounter is not null)
        {
            var failure = await MountVolumes(mounts, request.LifecycleId ?? string.Empty);
            if (failure is not null)
            {
                Publish(state);
                return new InitResult(InitOutcome.Invalid, $"failed to setup NFS volumes: {failure}");
            }
        }

        Publish(state with { Initialized = true });
        return new InitResult(InitOutcome.Applied);
    }

    /// <summary>The token hash the metadata service vouches for; only asked when the current token does not match.</summary>
    private async Task<string?> MetadataTokenHash(string? requestToken)
    {
        if (_environment.Metadata is null
            || (_state.AccessToken is not null && requestToken is not null && InitRules.TokensEqual(_state.AccessToken, requestToken)))
        {
            return null;
        }

        var hash = await FetchTokenHash(attempt: 1);
        if (hash.Fetched)
        {
            return hash.Value;
        }

        // A user's NAT rule may be redirecting metadata traffic: put ours first, then ask once more.
        if (_environment.MetadataRoute is not null)
        {
            using var budget = new CancellationTokenSource(MetadataBudget);
            await _environment.MetadataRoute.PinAsync(budget.Token);
        }

        return (await FetchTokenHash(attempt: 2)).Value;
    }

    private async Task<(bool Fetched, string? Value)> FetchTokenHash(int attempt)
    {
        try
        {
            using var budget = new CancellationTokenSource(MetadataBudget);
            return (true, (await _environment.Metadata!.FetchAsync(budget.Token)).AccessTokenHash);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Text.Json.JsonException)
        {
            _log.Warning("Metadata lookup failed (attempt {Attempt}): {Error}", attempt, e.Message);
            return (false, null);
        }
    }

    private void SyncClock(DateTimeOffset? hostTime)
    {
        if (hostTime is null || !_environment.SyncClock || !InitRules.ShouldSetClock(_environment.Clock.UtcNow, hostTime.Value))
        {
            return;
        }

        try
        {
            _environment.Clock.Set(hostTime.Value);
            _log.Info("Clock set to {HostTime}", hostTime.Value.ToString("O"));
        }
        catch (IOException e)
        {
            _log.Error("Setting the clock failed: {Error}", e.Message);
        }
    }

    private InitState MapEventsHost(InitState state, string hyperloopIp)
    {
        if (!IPAddress.TryParse(hyperloopIp, out var address))
        {
            _log.Warning("Ignoring hyperloopIP {HyperloopIp}: not an IP address", hyperloopIp);
            return state;
        }

        try
        {
            var current = File.Exists(_environment.HostsPath) ? File.ReadAllText(_environment.HostsPath) : string.Empty;
            var rewritten = HostsFile.Rewrite(current, EventsHost, address);
            if (rewritten is not null)
            {
                File.WriteAllText(_environment.HostsPath, rewritten);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error("Rewriting {HostsPath} failed: {Error}", _environment.HostsPath, e.Message);
            return state;
        }

        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return InitRules.SetInternal(state, InitRules.EventsAddressVar, $"http://{host}");
    }

    private async Task<string?> MountVolumes(IReadOnlyList<VolumeMount> mounts, string lifecycleId)
    {
        using var budget = new CancellationTokenSource(MountBudget);
        var pending = mounts
            .Where(m => !(_mountedLifecycles.TryGetValue(m.Path, out var mounted) && mounted == lifecycleId))
            .Select(async m =>
            {
                try
                {
                    await _environment.Mounter!.MountAsync(m.NfsTarget, m.Path, budget.Token);
                    return (m.Path, Error: (string?)null);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
                {
                    return (m.Path, Error: $"{m.Path}: {e.Message}");
                }
            })
            .ToList();

        var results = await Task.WhenAll(pending);
        foreach (var (path, error) in results)
        {
            if (error is null)
            {
                _mountedLifecycles[path] = lifecycleId;
            }
            else
            {
                // The old mount was probably taken down first: the next /init must try again whatever its lifecycle.
                _mountedLifecycles.Remove(path);
            }
        }

        var errors = results.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    private void Publish(InitState state)
    {
        _state = state;
        _snapshot.Publish(state);
    }
}
