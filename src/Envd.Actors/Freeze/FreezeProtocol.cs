namespace Envd.Actors.Freeze;

public static class FreezeProtocol
{
    public enum FreezeMode
    {
        /// <summary>Only the <c>user</c> and <c>ptys</c> cgroups.</summary>
        Legacy,

        /// <summary>Everything outside envd's own cgroup chain and the allowlist.</summary>
        Hierarchy,
    }

    /// <summary>
    /// Freeze the workload before a snapshot. With <paramref name="MaxWait"/>, wait that long for the kernel to confirm;
    /// <paramref name="Aborted"/> lets a request that gave up while queued change nothing.
    /// </summary>
    public sealed record FreezeWorkload(FreezeMode Mode, int MaxCgroups, TimeSpan? MaxWait, CancellationToken Aborted);

    /// <summary>The orchestrator's <c>FreezeResult</c>; per-cgroup failures are counted here rather than failing the call.</summary>
    public sealed record FreezeReport(
        string Mode,
        int Visited,
        int Allowlisted,
        bool Truncated,
        int PreFrozen,
        int Requested,
        int Frozen,
        int NotFrozen,
        int Failed,
        int Unobservable,
        long SweepMs,
        long WaitMs);

    /// <summary><paramref name="Report"/> is null when the request gave up before its turn.</summary>
    public sealed record FreezeResult(FreezeReport? Report);

    /// <summary>Thaw everything frozen below the cgroup root except what the guest froze itself.</summary>
    public sealed record ThawWorkload(CancellationToken Aborted);

    public sealed record ThawResult(bool Cancelled, int Thawed, IReadOnlyList<string> Failures);
}
