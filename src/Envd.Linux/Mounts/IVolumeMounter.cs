namespace Envd.Linux.Mounts;

/// <summary>Mounts network volumes for the sandbox; only used inside the VM.</summary>
public interface IVolumeMounter
{
    /// <summary>Mounts <paramref name="nfsTarget"/> on <paramref name="path"/>, replacing whatever is mounted there.</summary>
    Task MountAsync(string nfsTarget, string path, CancellationToken cancellationToken);
}
