using Envd.Linux.Clock;
using Envd.Linux.Metadata;
using Envd.Linux.Mounts;
using Envd.Linux.Trust;

namespace Envd.Actors.Init;

/// <summary>
/// The parts of the machine <c>/init</c> touches. <see cref="Metadata"/>, <see cref="MetadataRoute"/> and
/// <see cref="Mounter"/> are null and <see cref="SyncClock"/> false outside the VM (<c>-isnotfc</c>).
/// </summary>
public sealed record InitEnvironment(
    ISystemClock Clock,
    bool SyncClock,
    IInstanceMetadata? Metadata,
    IMetadataRoute? MetadataRoute,
    IVolumeMounter? Mounter,
    string HostsPath,
    CaBundleInstaller CaBundle);
