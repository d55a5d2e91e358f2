using Akka.Hosting;
using Envd.Linux.Files;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Actors.Watchers;

public static class WatchersHostingExtensions
{
    /// <summary>The <c>/user/watchers</c> parent, registered under <see cref="WatchersActor"/>.</summary>
    public static AkkaConfigurationBuilder WithWatchers(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithActors((system, registry) =>
        {
            var watchers = system.ActorOf(WatchersActor.Props(services.GetRequiredService<FileEntries>()), "watchers");
            registry.Register<WatchersActor>(watchers);
        });
}
