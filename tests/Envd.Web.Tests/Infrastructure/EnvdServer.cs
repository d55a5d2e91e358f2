using Envd.Actors.Hosting;
using Envd.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>
/// The real daemon on real Kestrel, bound to 127.0.0.1 on a free port, in VM-less mode, with every system path it could
/// write (hosts file, CA bundle, run dir) pointed into a temp directory of its own.
/// </summary>
public sealed class EnvdServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EnvdServer(WebApplication app, Uri baseAddress, string root, EnvdSettings settings)
    {
        _app = app;
        BaseAddress = baseAddress;
        Root = root;
        Settings = settings;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    /// <summary>A temp directory that lives as long as the server.</summary>
    public string Root { get; }

    public EnvdSettings Settings { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<EnvdServer> StartAsync(
        Func<EnvdSettings, EnvdSettings>? configure = null,
        Action<IServiceCollection>? overrides = null,
        Action<IEndpointRouteBuilder>? routes = null)
    {
        var root = Directory.CreateTempSubdirectory("envd-test-").FullName;
        var settings = new EnvdSettings
        {
            ListenAddress = "127.0.0.1",
            Port = 0,
            IsNotFc = true,
            NoCgroups = true,
            HostsPath = Path.Combine(root, "hosts"),
            RunDir = Path.Combine(root, "run"),
            CaBundlePath = Path.Combine(root, "ca-certificates.crt"),
            LocalCaPath = Path.Combine(root, "local-ca", "e2b-ca.crt"),

            // Should a test switch to VM mode, nothing may freeze a real filesystem, reach the real metadata address,
            // touch envd's own OOM score or forward the machine's other loopback listeners.
            FsFreezePath = Path.Combine(root, "no-filesystem-here"),
            OomScoreAdjPath = Path.Combine(root, "oom_score_adj"),
            MetadataAddress = new Uri("http://127.0.0.1:9/"),
            ForwardAddress = null,
        };
        settings = configure?.Invoke(settings) ?? settings;
        var app = EnvdApp.Build(settings, overrides);
        routes?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new EnvdServer(app, new Uri(address), root, settings);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
