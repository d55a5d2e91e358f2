using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Web.Tests.Connect;

/// <summary>One daemon with the echo service mapped, shared by the tests that need no fresh probe.</summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    public EnvdServer Server { get; private set; } = null!;

    public EchoProbe Probe { get; } = new();

    public async Task InitializeAsync() => Server = await StartAsync(Probe);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public static Task<EnvdServer> StartAsync(EchoProbe probe) =>
        EnvdServer.StartAsync(overrides: services => services.AddSingleton(probe), routes: EchoRpc.Map);
}
