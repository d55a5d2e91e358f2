using Akka.Hosting;
using Envd.Actors.Freeze;
using Envd.Actors.Init;
using Envd.Actors.Ports;
using Envd.Linux.Cgroups;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Actors.Hosting;

/// <summary>The actor tree, as Akka.Hosting registrations shared by the daemon and the tests.</summary>
public static class EnvdActorsHostingExtensions
{
    public static AkkaConfigurationBuilder WithInitActor(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithActors((system, registry) =>
        {
            registry.TryGet<WorkloadFreezerActor>(out var freezer);
            var init = system.ActorOf(
                InitActor.Props(services.GetRequiredService<InitSnapshot>(), services.GetRequiredService<InitEnvironment>(), freezer),
                "init");
            registry.Register<InitActor>(init);
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

    public static AkkaConfigurationBuilder WithEnvdActors(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder
            .WithWorkloadFreezer(services)
            .WithInitActor(services)
            .WithPortForwarding(services.GetRequiredService<EnvdSettings>());
}
