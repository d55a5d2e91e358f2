using System.Runtime.InteropServices;

namespace EnvdBench;

/// <summary>The libc calls .NET has no managed API for: signals other than SIGKILL, clock ticks, reaped children's CPU.</summary>
internal static unsafe partial class Native
{
    public const int SigTerm = 15;

    private const int ScClkTck = 2;
    private const int RusageChildren = -1;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial long sysconf(int name);

    [LibraryImport("libc")]
    private static partial int getrusage(int who, RUsage* usage);

    public static double ClockTicksPerSecond => sysconf(ScClkTck);

    /// <summary>User+system CPU of every child this process has reaped: the load generators, once they exit.</summary>
    public static double ReapedChildrenCpuSeconds()
    {
        RUsage usage;
        return getrusage(RusageChildren, &usage) == 0
            ? usage.UserSeconds + usage.UserMicros / 1e6 + usage.SystemSeconds + usage.SystemMicros / 1e6
            : double.NaN;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;
        public fixed long Rest[14];
    }
}
