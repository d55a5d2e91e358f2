using System.Net;

namespace Envd.Actors.Hosting;

/// <summary>Everything the daemon can be told from the command line, plus the paths tests point at temp files.</summary>
public sealed record EnvdSettings
{
    public const int DefaultPort = 49983;

    public int Port { get; init; } = DefaultPort;

    public string ListenAddress { get; init; } = "0.0.0.0";

    /// <summary>Outside Firecracker: no clock sync, metadata service, NFS mounts or log export.</summary>
    public bool IsNotFc { get; init; }

    public bool Verbose { get; init; }

    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    public bool NoCgroups { get; init; }

    public string ProcRoot { get; init; } = "/proc";

    /// <summary>The filesystem whose usage <c>/metrics</c> reports.</summary>
    public string DiskPath { get; init; } = "/";

    public TimeSpan MetricsInterval { get; init; } = TimeSpan.FromSeconds(1);

    public string PasswdPath { get; init; } = "/etc/passwd";

    public string GroupPath { get; init; } = "/etc/group";

    public string HostsPath { get; init; } = "/etc/hosts";

    public string RunDir { get; init; } = "/run/e2b";

    public string CaBundlePath { get; init; } = "/etc/ssl/certs/ca-certificates.crt";

    public string LocalCaPath { get; init; } = "/usr/local/share/ca-certificates/e2b-ca.crt";

    public Uri MetadataAddress { get; init; } = new("http://169.254.169.254/");

    /// <summary>
    /// The VM's external address, where loopback-only listeners are made reachable (VM mode only); null turns port
    /// forwarding off.
    /// </summary>
    public IPAddress? ForwardAddress { get; init; } = IPAddress.Parse("169.254.0.21");

    public TimeSpan PortScanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a workload freeze may last without a thaw before envd thaws it anyway.</summary>
    public TimeSpan FreezeWatchdog { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The mount point <c>/fsfreeze</c> freezes (VM mode only): the root filesystem.</summary>
    public string FsFreezePath { get; init; } = "/";

    /// <summary>Where envd exempts itself from the OOM killer (VM mode only).</summary>
    public string OomScoreAdjPath { get; init; } = "/proc/self/oom_score_adj";

    /// <summary>A request body slower than this on average (after the grace period) is cut: stalled uploads end.</summary>
    public double MinUploadBytesPerSecond { get; init; } = 240;

    public TimeSpan MinUploadRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);
}
