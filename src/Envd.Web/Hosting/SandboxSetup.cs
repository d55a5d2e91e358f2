using Envd.Actors.Hosting;
using Envd.Linux.Cgroups;

namespace Envd.Web.Hosting;

/// <summary>The machine state envd prepares before serving: the workload cgroups.</summary>
public static class SandboxSetup
{
    /// <summary>
    /// The <c>user</c>, <c>ptys</c> and <c>socats</c> cgroups, or none with <c>-no-cgroups</c> or when the root is not
    /// cgroup2; a failure to create them leaves processes where they start rather than stopping the daemon.
    /// </summary>
    public static WorkloadCgroups CreateCgroups(EnvdSettings settings, ILogger logger)
    {
        if (settings.NoCgroups)
        {
            return WorkloadCgroups.None;
        }

        if (!WorkloadCgroups.IsCgroup2(settings.CgroupRoot))
        {
            logger.LogWarning("{CgroupRoot} is not a cgroup2 mount: running without workload cgroups", settings.CgroupRoot);
            return WorkloadCgroups.None;
        }

        try
        {
            var skipped = new List<string>();
            var cgroups = WorkloadCgroups.Create(settings.CgroupRoot, WorkloadCgroups.ReadMemoryTotal(settings.ProcRoot), skipped);
            if (skipped.Count > 0)
            {
                logger.LogInformation("Cgroup properties skipped (controller not enabled): {Properties}", string.Join(", ", skipped));
            }

            return cgroups;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            logger.LogError("Creating the workload cgroups under {CgroupRoot} failed: {Error}", settings.CgroupRoot, e.Message);
            return WorkloadCgroups.None;
        }
    }
}
