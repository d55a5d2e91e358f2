using Envd.Actors.Hosting;
using Envd.Linux.Cgroups;
using Envd.Linux.Sandbox;

namespace Envd.Web.Hosting;

/// <summary>
/// The machine state envd prepares before serving: the run directory and its <c>.E2B_SANDBOX</c> marker, the
/// workload cgroups and, inside the VM, envd's own exemption from the OOM killer.
/// </summary>
public sealed class SandboxSetup(EnvdSettings settings, RunDirectory runDirectory, ILogger<SandboxSetup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runDirectory.Prepare(inFirecracker: !settings.IsNotFc);
        if (!settings.IsNotFc)
        {
            try
            {
                OomScore.Set(settings.OomScoreAdjPath, OomScore.Exempt);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not exempt envd from the OOM killer: {Error}", e.Message);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
