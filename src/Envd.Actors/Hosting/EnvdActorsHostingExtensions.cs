using Akka.Hosting;
using Envd.Actors.Init;
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
            var init = system.ActorOf(
                InitActor.Props(services.GetRequiredService<InitSnapshot>(), services.GetRequiredService<InitEnvironment>()),
                "init");
            registry.Register<InitActor>(init);
        });

    public static AkkaConfigurationBuilder WithEnvdActors(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithInitActor(services).WithWatchers(services).WithProcesses(services);
}
