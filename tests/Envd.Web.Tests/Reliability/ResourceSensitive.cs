namespace Envd.Web.Tests.Reliability;

/// <summary>
/// Tests that measure the whole test process (allocations, descriptors, threads, children) or time /health: they run
/// one at a time, so no other test's traffic blurs the figures.
/// </summary>
[CollectionDefinition(nameof(ResourceSensitive), DisableParallelization = true)]
public sealed class ResourceSensitive;
