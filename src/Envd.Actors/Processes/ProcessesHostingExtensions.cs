using Akka.Hosting;
using Envd.Linux.Processes;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Actors.Processes;

public static class ProcessesHostingExtensions
{
    /// <summary>The <c>/user/processes</c> supervisor, registered under <see cref="ProcessSupervisor"/>.</summary>
    public static AkkaConfigurationBuilder WithProcesses(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.WithActors((system, registry) =>
        {
            var processes = system.ActorOf(
                ProcessSupervisor.Props(services.GetRequiredService<ProcessLauncher>(), ProcessTimings.Default), "processes");
            registry.Register<ProcessSupervisor>(processes);
        });
}
