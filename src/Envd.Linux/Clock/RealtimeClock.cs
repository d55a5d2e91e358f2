using System.Runtime.InteropServices;
using Envd.Linux.Native;

namespace Envd.Linux.Clock;

public sealed class RealtimeClock : ISystemClock
{
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

    public void Set(DateTimeOffset time)
    {
        var spec = new Libc.Timespec
        {
            Seconds = time.ToUnixTimeSeconds(),
            Nanoseconds = time.UtcTicks % TimeSpan.TicksPerSecond * 100,
        };
        if (Libc.clock_settime(Libc.ClockRealtime, in spec) != 0)
        {
            throw new IOException($"clock_settime failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}
