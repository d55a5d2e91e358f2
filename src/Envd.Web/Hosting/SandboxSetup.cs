using Envd.Actors.Hosting;
using Envd.Linux.Cgroups;
using Envd.Linux.Files;
using Envd.Linux.Sandbox;

namespace Envd.Web.Hosting;

/// <summary>
/// The machine state envd prepares before serving: the run directory and its <c>.E2B_SANDBOX</c> marker, the staging
/// journal (whose opening removes what a crashed daemon left staged), the workload cgroups and, inside the VM, envd's
/// own exemption from the OOM killer.
/// </summary>
/// <param name="journal">Taken here so it is opened, and its strays swept, before the first upload is served.</param>
public sealed class SandboxSetup(EnvdSettings settings, RunDirectory runDirectory, StagingJournal journal, ILogger<SandboxSetup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runDirectory.Prepare(inFirecracker: !settings.IsNotFc);
        logger.LogDebug("Staged uploads are journaled in {Journal}", journal.Directory);
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
    /// Opens the journal under <c>RunDir/staging</c>, first removing the staged files of daemons that died mid-upload.
    /// The container disposes it at shutdown, releasing its lock.
    /// </summary>
    public static StagingJournal OpenStagingJournal(EnvdSettings settings, ILogger logger)
    {
        var journal = StagingJournal.Open(Path.Combine(settings.RunDir, "staging"), out var removed);
        foreach (var stray in removed)
        {
            logger.LogInformation("Removed {Path}, staged by a daemon that stopped mid-upload", stray);
        }

        return journal;
    }

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
