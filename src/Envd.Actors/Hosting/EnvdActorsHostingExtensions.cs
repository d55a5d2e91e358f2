using Akka.Hosting;
using Envd.Actors.Init;
using Envd.Actors.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Actors.Hosting;

/// <summary>The actor tree, as Akka.Hosting registrations shared by the daemon and the tests.</summary>
public static class EnvdActorsHostingExtensions
{
    public static AkkaConfigurationBuilder WithInitActor(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithActors((system, registry) =>
        {
            var init = system.ActorOf(
                InitActor.Props(services.GetRequiredService<InitSnapshot>(), services.GetRequiredService<InitEnvironment>()),
                "init");
            registry.Register<InitActor>(init);
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
            .WithInitActor(services)
            .WithPortForwarding(services.GetRequiredService<EnvdSettings>());
}
