using Akka.Hosting;
using Envd.Actors.Files;
using Envd.Actors.Init;
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

    /// <summary>The <c>/user/transfers</c> parent that gives each file request an actor of its own.</summary>
    public static AkkaConfigurationBuilder WithFileTransfers(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
            registry.Register<FileTransfersActor>(system.ActorOf(FileTransfersActor.Props(), "transfers")));

    public static AkkaConfigurationBuilder WithEnvdActors(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithInitActor(services)
            .WithFileTransfers();
}
