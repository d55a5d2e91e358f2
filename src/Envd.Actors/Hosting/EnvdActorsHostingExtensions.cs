using Akka.Hosting;
using Envd.Actors.Init;
using Envd.Actors.Metrics;
using Envd.Linux.Proc;
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

    public static AkkaConfigurationBuilder WithEnvdActors(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithInitActor(services).WithMetricsSampler(services);
}
