using System.Collections.Concurrent;
using Envd.Linux.Clock;
using Envd.Linux.Metadata;
using Envd.Linux.Mounts;

namespace Envd.Actors.Tests.Init;

/// <summary>A wall clock that records every attempt to set it instead of touching the host's.</summary>
public sealed class RecordingClock(DateTimeOffset now) : ISystemClock
{
    public DateTimeOffset UtcNow { get; set; } = now;

    public ConcurrentQueue<DateTimeOffset> Sets { get; } = new();

    public void Set(DateTimeOffset time) => Sets.Enqueue(time);
}

/// <summary>A metadata service that vouches for one token hash, or is unreachable.</summary>
public sealed class FakeMetadata : IInstanceMetadata
{
    private int _calls;

    public string? AccessTokenHash { get; set; }

    public bool Unreachable { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public Task<InstanceMetadata> FetchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Unreachable
            ? Task.FromException<InstanceMetadata>(new HttpRequestException("connection refused"))
            : Task.FromResult(new InstanceMetadata("sandbox-1", "template-1", null, AccessTokenHash));
    }
}

/// <summary>Records mounts instead of mounting; a path can be made to fail, and mounts can be held until released.</summary>
public sealed class FakeMounter : IVolumeMounter
{
    private readonly ConcurrentQueue<(string Target, string Path)> _mounts = new();

    public IReadOnlyList<(string Target, string Path)> Mounts => _mounts.ToList();

    public HashSet<string> FailingPaths { get; } = [];

    /// <summary>While set, every mount waits for this task.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task MountAsync(string nfsTarget, string path, CancellationToken cancellationToken)
    {
        _mounts.Enqueue((nfsTarget, path));
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FailingPaths.Contains(path))
        {
            throw new IOException($"mount {nfsTarget} on {path} failed (32): access denied by server");
        }
    }
}
