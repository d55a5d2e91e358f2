using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Envd.Linux.Cgroups;
using static Envd.Actors.Freeze.FreezeProtocol;

namespace Envd.Actors.Freeze;

/// <summary>
/// Freezes and thaws the sandbox workload through cgroup2 for snapshots. The mailbox serializes every freeze and thaw
/// caller; a watchdog thaws anyway if no thaw follows a freeze in time.
/// </summary>
public sealed class WorkloadFreezerActor : ReceiveActor, IWithTimers
{
    public const int MaxThawCgroups = 8192;
    private static readonly TimeSpan ConfirmPollInterval = TimeSpan.FromMilliseconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WorkloadCgroups _cgroups;
    private readonly string? _ownCgroup;
    private readonly TimeSpan _watchdog;
    private readonly HashSet<string> _frozenByUs = new(StringComparer.Ordinal);
    private HashSet<string> _guestFrozen = new(StringComparer.Ordinal);

    public WorkloadFreezerActor(WorkloadCgroups cgroups, string? ownCgroup, TimeSpan watchdog)
    {
        _cgroups = cgroups;
        _ownCgroup = ownCgroup;
        _watchdog = watchdog;
        ReceiveAsync<FreezeWorkload>(HandleFreeze);
        Receive<ThawWorkload>(HandleThaw);
        Receive<WatchdogExpired>(_ => HandleWatchdogExpired());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(WorkloadCgroups cgroups, string? ownCgroup, TimeSpan watchdog) =>
        Akka.Actor.Props.Create(() => new WorkloadFreezerActor(cgroups, ownCgroup, watchdog));

    private async Task HandleFreeze(FreezeWorkload message)
    {
        var sender = Sender;
        if (message.Aborted.IsCancellationRequested)
        {
            sender.Tell(new FreezeResult(null));
            return;
        }

        var mode = message.Mode == FreezeMode.Hierarchy ? "hierarchy" : "legacy";
        if (_cgroups.Root is not { } root)
        {
            sender.Tell(new FreezeResult(new FreezeReport(mode, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0)));
            return;
        }

        var clock = Stopwatch.StartNew();
        var sweep = message.Mode == FreezeMode.Hierarchy
            ? CgroupFreezer.SweepHierarchy(root, _ownCgroup, CgroupFreezer.HierarchyAllowlist, message.MaxCgroups)
            : CgroupFreezer.SweepGroups([_cgroups.DirectoryOf(WorkloadCgroup.User)!, _cgroups.DirectoryOf(WorkloadCgroup.Pty)!], message.MaxCgroups);

        // A repeated freeze finds our own earlier work frozen: that is not the guest's.
        _guestFrozen = sweep.GuestFrozen.Where(c => !_frozenByUs.Contains(c)).ToHashSet(StringComparer.Ordinal);
        var requested = sweep.Targets.Concat(sweep.GuestFrozen.Where(_frozenByUs.Contains)).ToList();
        var failed = 0;
        var written = new List<string>();
        foreach (var cgroup in requested)
        {
            try
            {
                CgroupFreezer.SetFreeze(cgroup, true);
                _frozenByUs.Add(cgroup);
                written.Add(cgroup);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed++;
                _log.Warning("Freezing {0} failed: {1}", cgroup, e.Message);
            }
        }

        var sweepMs = clock.ElapsedMilliseconds;
        Timers.StartSingleTimer("watchdog", WatchdogExpired.Instance, _watchdog);
        var (frozen, unobservable, waitMs) = message.MaxWait is { } maxWait
            ? await Confirm(written, maxWait, message.Aborted)
            : (0, 0, 0L);
        var report = new FreezeReport(
            mode,
            sweep.Visited,
            sweep.Allowlisted,
            sweep.Truncated,
            _guestFrozen.Count,
            requested.Count,
            frozen,
            message.MaxWait is null ? 0 : written.Count - frozen - unobservable,
            failed,
            unobservable,
            sweepMs,
            waitMs);
        _log.Info(
            "Workload freeze ({0}): {1} requested, {2} frozen, {3} failed, {4} left frozen by the guest",
            mode, report.Requested, report.Frozen, report.Failed, report.PreFrozen);
        sender.Tell(new FreezeResult(report));
    }

    /// <summary>Polls <c>cgroup.events</c> until every cgroup reads frozen or <paramref name="maxWait"/> is over.</summary>
    private static async Task<(int Frozen, int Unobservable, long WaitMs)> Confirm(
        IReadOnlyList<string> cgroups, TimeSpan maxWait, CancellationToken aborted)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var states = cgroups.Select(CgroupFreezer.IsFrozen).ToList();
            var frozen = states.Count(s => s == true);
            var unobservable = states.Count(s => s is null);
            if (frozen + unobservable == cgroups.Count || clock.Elapsed >= maxWait || aborted.IsCancellationRequested)
            {
                return (frozen, unobservable, clock.ElapsedMilliseconds);
            }

            await Task.Delay(ConfirmPollInterval, CancellationToken.None);
        }
    }

    private void HandleThaw(ThawWorkload message)
    {
        if (message.Aborted.IsCancellationRequested)
        {
            Sender.Tell(new ThawResult(true, 0, []));
            return;
        }

        Sender.Tell(Thaw());
    }

    private void HandleWatchdogExpired()
    {
        var result = Thaw();
        _log.Warning("No thaw arrived within {0} of a freeze: thawed {1} cgroups", _watchdog, result.Thawed);
    }

    private ThawResult Thaw()
    {
        Timers.Cancel("watchdog");
        if (_cgroups.Root is not { } root)
        {
            return new ThawResult(false, 0, []);
        }

        var sweep = CgroupFreezer.Thaw(root, _guestFrozen, MaxThawCgroups);
        _frozenByUs.Clear();
        foreach (var failure in sweep.Failures)
        {
            _log.Error("Thawing failed: {0}", failure);
        }

        if (sweep.Thawed > 0)
        {
            _log.Info("Workload thawed: {0} cgroups", sweep.Thawed);
        }

        return new ThawResult(false, sweep.Thawed, sweep.Failures);
    }

    private sealed class WatchdogExpired : IDeadLetterSuppression, INoSerializationVerificationNeeded
    {
        public static readonly WatchdogExpired Instance = new();

        private WatchdogExpired()
        {
        }
    }
}
