using Akka.Hosting;
using Envd.Actors.Freeze;
using Envd.Actors.Files;
using Envd.Actors.Init;
using Envd.Actors.Logs;
using Envd.Actors.Metadata;
using Envd.Actors.Metrics;
using Envd.Actors.Ports;
using Envd.Linux.Cgroups;
using Envd.Linux.Proc;
using Envd.Linux.Sandbox;
using Envd.Actors.Processes;
using Envd.Actors.Watchers;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Actors.Hosting;

/// <summary>The actor tree, as Akka.Hosting registrations shared by the daemon and the tests.</summary>
public static class EnvdActorsHostingExtensions
{
    public static AkkaConfigurationBuilder WithInitActor(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithActors((system, registry) =>
        {
            registry.TryGet<WorkloadFreezerActor>(out var freezer);
            registry.TryGet<MetadataPollerActor>(out var poller);
            var init = system.ActorOf(
                InitActor.Props(services.GetRequiredService<InitSnapshot>(), services.GetRequiredService<InitEnvironment>(), freezer, poller),
                "init");
            registry.Register<InitActor>(init);
        });

    /// <summary>Samples the /proc tree and disk named by <see cref="EnvdSettings"/>; a registered TimeProvider stamps the samples.</summary>
    public static AkkaConfigurationBuilder WithMetricsSampler(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithActors((system, registry) =>
        {
            var settings = services.GetRequiredService<EnvdSettings>();
            var sampler = system.ActorOf(
                MetricsSamplerActor.Props(
                    new HostCounters(settings.ProcRoot, settings.DiskPath),
                    settings.MetricsInterval,
                    services.GetService<TimeProvider>() ?? TimeProvider.System),
                "metrics");
            registry.Register<MetricsSamplerActor>(sampler);
        });

    /// <summary>Ships log lines to the collector once the metadata service names one; only inside the VM.</summary>
    public static AkkaConfigurationBuilder WithLogExporter(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        services.GetService<LogBuffer>() is not { } buffer
            ? builder
            : builder.WithActors((system, registry) =>
                registry.Register<LogExporterActor>(system.ActorOf(LogExporterActor.Props(buffer), "log-exporter")));

    /// <summary>Polls the metadata service for the sandbox ids and log collector; only inside the VM.</summary>
    public static AkkaConfigurationBuilder WithMetadataPoller(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        services.GetRequiredService<InitEnvironment>().Metadata is not { } metadata
            ? builder
            : builder.WithActors((system, registry) =>
            {
                registry.TryGet<LogExporterActor>(out var exporter);
                registry.Register<MetadataPollerActor>(system.ActorOf(
                    MetadataPollerActor.Props(metadata, services.GetRequiredService<RunDirectory>(), exporter), "metadata-poller"));
            });

    public static AkkaConfigurationBuilder WithWorkloadFreezer(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithActors((system, registry) =>
        {
            var settings = services.GetRequiredService<EnvdSettings>();
            var cgroups = services.GetRequiredService<WorkloadCgroups>();
            var own = cgroups.Root is null ? null : CgroupFreezer.OwnCgroup(settings.ProcRoot, cgroups.Root);
            registry.Register<WorkloadFreezerActor>(
                system.ActorOf(WorkloadFreezerActor.Props(cgroups, own, settings.FreezeWatchdog), "workload-freezer"));
        });

    /// <summary>Relays loopback-only listeners to the external address; only inside the VM.</summary>
    public static AkkaConfigurationBuilder WithPortForwarding(this AkkaConfigurationBuilder builder, EnvdSettings settings) =>
        settings.IsNotFc || settings.ForwardAddress is null
            ? builder
            : builder.WithActors((system, registry) =>
            {
                var forwarder = system.ActorOf(PortForwarderActor.Props(settings.ForwardAddress), "port-forwarder");
                system.ActorOf(PortScannerActor.Props(settings.ProcRoot, settings.PortScanInterval, forwarder), "port-scanner");
                registry.Register<PortForwarderActor>(forwarder);
            });

    /// <summary>The <c>/user/transfers</c> parent that gives each file request an actor of its own.</summary>
    public static AkkaConfigurationBuilder WithFileTransfers(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
            registry.Register<FileTransfersActor>(system.ActorOf(FileTransfersActor.Props(), "transfers")));

    public static AkkaConfigurationBuilder WithEnvdActors(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder
            .WithLogExporter(services)
            .WithMetadataPoller(services)
            .WithWorkloadFreezer(services)
            .WithInitActor(services)
            .WithPortForwarding(services.GetRequiredService<EnvdSettings>())
            .WithMetricsSampler(services)
            .WithWatchers(services)
            .WithProcesses(services)
            .WithFileTransfers();
}
