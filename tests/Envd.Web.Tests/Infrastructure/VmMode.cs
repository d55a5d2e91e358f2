using Envd.Actors.Hosting;
using Envd.Linux.Clock;
using Envd.Linux.Metadata;
using Envd.Linux.Mounts;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>
/// The daemon as it runs inside Firecracker (no <c>-isnotfc</c>), with what would change the test machine replaced:
/// the clock is never set, nothing is NFS-mounted, no iptables rule is touched.
/// </summary>
public static class VmMode
{
    public static Task<EnvdServer> StartAsync(
        Func<EnvdSettings, EnvdSettings>? configure = null,
        Action<IServiceCollection>? overrides = null,
        RecordingClock? clock = null,
        RecordingMounter? mounter = null,
        RecordingMetadataRoute? route = null) =>
        EnvdServer.StartAsync(
            settings =>
            {
                settings = settings with { IsNotFc = false };
                return configure?.Invoke(settings) ?? settings;
            },
            services =>
            {
                services.AddSingleton<ISystemClock>(clock ?? new RecordingClock());
                services.AddSingleton<IVolumeMounter>(mounter ?? new RecordingMounter());
                services.AddSingleton<IMetadataRoute>(route ?? new RecordingMetadataRoute());
                overrides?.Invoke(services);
            });
}

/// <summary>Reads the real time and records what envd would have set the clock to.</summary>
public sealed class RecordingClock : ISystemClock
{
    private readonly List<DateTimeOffset> _sets = [];

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

    public IReadOnlyList<DateTimeOffset> Sets
    {
        get
        {
            lock (_sets)
            {
                return _sets.ToList();
            }
        }
    }

    public void Set(DateTimeOffset time)
    {
        lock (_sets)
        {
            _sets.Add(time);
        }
    }
}

/// <summary>Records the mounts envd asks for; <see cref="Fail"/> makes them fail.</summary>
public sealed class RecordingMounter : IVolumeMounter
{
    private readonly List<(string Target, string Path)> _mounts = [];

    public bool Fail { get; set; }

    public IReadOnlyList<(string Target, string Path)> Mounts
    {
        get
        {
            lock (_mounts)
            {
                return _mounts.ToList();
            }
        }
    }

    public Task MountAsync(string nfsTarget, string path, CancellationToken cancellationToken)
    {
        lock (_mounts)
        {
            _mounts.Add((nfsTarget, path));
        }

        return Fail ? Task.FromException(new IOException("mount.nfs: Connection refused")) : Task.CompletedTask;
    }
}

/// <summary>Counts the times envd would have pinned the metadata route with iptables.</summary>
public sealed class RecordingMetadataRoute : IMetadataRoute
{
    private int _pins;

    public int Pins => Volatile.Read(ref _pins);

    public Task PinAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pins);
        return Task.CompletedTask;
    }
}
