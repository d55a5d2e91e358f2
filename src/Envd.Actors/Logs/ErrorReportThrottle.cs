namespace Envd.Actors.Logs;

/// <summary>At most one report per <see cref="Interval"/>; the errors in between are only counted.</summary>
public sealed record ErrorReportThrottle(TimeSpan? LastReport, int Suppressed)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    public static readonly ErrorReportThrottle Initial = new(null, 0);

    /// <summary>
    /// Accounts for one error at monotonic time <paramref name="now"/>. When it may be reported, returns how many were
    /// suppressed since the last report; otherwise null.
    /// </summary>
    public (ErrorReportThrottle Next, int? ReportWithSuppressed) Record(TimeSpan now) =>
        LastReport is { } last && now - last < Interval
            ? (this with { Suppressed = Suppressed + 1 }, null)
            : (new ErrorReportThrottle(now, 0), Suppressed);
}
