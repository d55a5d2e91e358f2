using Akka.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;
using Envd.Actors.Hosting;
using Envd.Actors.Init;
using Envd.Actors.Logs;
using Envd.Linux.Cgroups;
using Envd.Actors.Processes;
using Envd.Linux.Clock;
using Envd.Linux.Files;
using Envd.Linux.Metadata;
using Envd.Linux.Mounts;
using Envd.Linux.Sandbox;
using Envd.Linux.Snapshots;
using Envd.Linux.Processes;
using Envd.Linux.Trust;
using Envd.Linux.Users;
using Envd.Web.Connect.Filesystem;
using Envd.Web.Connect.Processes;
using Envd.Web.Endpoints;
using Envd.Web.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Envd.Web.Hosting;

/// <summary>Builds the daemon: Kestrel, the actor system, the middleware chain and the routes.</summary>
public static class EnvdApp
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(640);

    private const int MaxReadBufferSize = 128 * 1024;

    /// <param name="overrides">Registrations that replace the machine adapters (tests pass fakes here).</param>
    public static WebApplication Build(EnvdSettings settings, Action<IServiceCollection>? overrides = null)
    {
        // Envd reads no configuration: the empty builder spares start-up the JSON and environment sources and their file watcher.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        // Inside the VM the logs go to the collector (the exporter ships this buffer), not to stdout and the journal.
        var exportedLogs = settings.IsNotFc ? null : new LogBuffer();
        ConfigureLogging(builder.Logging, settings, exportedLogs);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.KeepAliveTimeout = IdleTimeout;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(settings.MinUploadBytesPerSecond, settings.MinUploadRateGracePeriod);
            kestrel.Listen(System.Net.IPAddress.Parse(settings.ListenAddress), settings.Port, l => l.Protocols = HttpProtocols.Http1);
        });

        // Uploads are pulled off the socket in 64 KiB chunks; a deeper per-connection buffer (1 MiB by default) only
        // pins memory, 64 MiB of it with 64 concurrent uploads.
        builder.WebHost.UseSockets(sockets => sockets.MaxReadBufferSize = MaxReadBufferSize);
        // Registered after Kestrel's own factory, so it wins: 64 KiB socket reads instead of 4 KiB ones.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, ConnectionBufferPool.Factory>();

        overrides?.Invoke(builder.Services);
        if (exportedLogs is not null)
        {
            builder.Services.AddSingleton(exportedLogs);
        }

        AddEnvdServices(builder.Services, settings);
        builder.Services.AddHostedService<SandboxSetup>();
        builder.Services.AddCors();
        builder.Services.AddAkka("envd", (akka, services) =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<ActorEventLogger>();
            });
            akka.AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "envd.hocon"), HoconAddMode.Prepend);
            akka.WithEnvdActors(services);
        });

        var app = builder.Build();
        app.UseMiddleware<BadRequestMiddleware>();
        app.UseCors(cors => cors
            .AllowAnyOrigin()
            .WithMethods("HEAD", "GET", "POST", "PUT", "PATCH", "DELETE")
            .AllowAnyHeader()
            .WithExposedHeaders(
                "Content-Encoding", "Connect-Content-Encoding", "Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin",
                "Location", "Cache-Control", "X-Content-Type-Options")
            .SetPreflightMaxAge(TimeSpan.FromSeconds(7200)));
        app.UseMiddleware<AccessTokenMiddleware>();
        app.UseMiddleware<BasicAuthMiddleware>();
        app.UseStatusCodePages(WriteRoutingError);
        app.MapHealth();
        app.MapInit();
        app.MapEnvs();
        app.MapMetrics();
        app.MapFreeze();
        app.MapCollapse();
        app.MapUpgrade();
        app.MapFilesystemRpc();
        app.MapProcessRpc();
        app.MapFiles();
        return app;
    }

    private static void AddEnvdServices(IServiceCollection services, EnvdSettings settings)
    {
        services.TryAddSingleton(settings);
        services.TryAddSingleton<IUserDirectory>(new EtcUserDirectory(settings.PasswdPath, settings.GroupPath));
        services.TryAddSingleton<ISystemClock, RealtimeClock>();
        services.TryAddSingleton(new InitSnapshot(InitState.Initial(inFirecracker: !settings.IsNotFc)));
        services.TryAddSingleton<RequestUser>();
        services.TryAddSingleton(new FilesystemFreezer(settings.FsFreezePath));
        services.TryAddSingleton(new RunDirectory(settings.RunDir));
        services.TryAddSingleton(sp => SandboxSetup.OpenStagingJournal(settings, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Envd.Files")));
        services.TryAddSingleton(sp => SandboxSetup.CreateCgroups(settings, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Envd.Cgroups")));
        services.TryAddSingleton<FileEntries>();
        services.TryAddSingleton<FilesystemRpc>();
        services.TryAddSingleton(_ => ProcessLauncher.ForThisDaemon());
        services.TryAddSingleton(sp =>
        {
            var cgroups = sp.GetRequiredService<WorkloadCgroups>();
            return new ProcessCgroups(cgroups.ProcsPath(WorkloadCgroup.User), cgroups.ProcsPath(WorkloadCgroup.Pty));
        });
        if (!settings.IsNotFc)
        {
            services.AddHttpClient<IInstanceMetadata, MmdsClient>(http =>
            {
                http.BaseAddress = settings.MetadataAddress;
                http.Timeout = TimeSpan.FromSeconds(10);
            });
            services.TryAddSingleton<IVolumeMounter, NfsVolumeMounter>();
            services.TryAddSingleton<IMetadataRoute>(new IptablesMetadataRoute(settings.MetadataAddress.Host));
        }

        services.TryAddSingleton(sp => new InitEnvironment(
            sp.GetRequiredService<ISystemClock>(),
            SyncClock: !settings.IsNotFc,
            settings.IsNotFc ? null : sp.GetRequiredService<IInstanceMetadata>(),
            settings.IsNotFc ? null : sp.GetRequiredService<IMetadataRoute>(),
            settings.IsNotFc ? null : sp.GetRequiredService<IVolumeMounter>(),
            settings.HostsPath,
            new CaBundleInstaller(settings.CaBundlePath, settings.LocalCaPath)));
    }

    private static void ConfigureLogging(ILoggingBuilder logging, EnvdSettings settings, LogBuffer? exportedLogs)
    {
        logging.ClearProviders();
        if (exportedLogs is not null)
        {
            logging.AddProvider(new ExportedLogProvider(exportedLogs));
        }

        if (settings.Verbose)
        {
            logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffffZ";
                json.UseUtcTimestamp = true;
            });
            logging.SetMinimumLevel(LogLevel.Debug);
        }
        else if (settings.IsNotFc)
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
            logging.SetMinimumLevel(LogLevel.Information);
        }

        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
    }

    /// <summary>Unknown paths and wrong methods get the same JSON error body as every other REST failure.</summary>
    private static Task WriteRoutingError(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (status is not (StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed) || http.GetEndpoint() is not null && status != 405)
        {
            return Task.CompletedTask;
        }

        return ApiError.WriteAsync(http, status, status == 404 ? "404 page not found" : "method not allowed");
    }
}
