namespace Envd.Linux.Clock;

/// <summary>The wall clock, readable by everyone and settable only inside the VM.</summary>
public interface ISystemClock
{
    DateTimeOffset UtcNow { get; }

    /// <summary>Sets CLOCK_REALTIME; throws <see cref="IOException"/> when the kernel refuses.</summary>
    void Set(DateTimeOffset time);
}
