using System.Net;
using Azure.Data.Tables;
using Drex.Grains;
using Drex.Persistence;
using Drex.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Configuration;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Drex.Silo;

/// <summary>Configures a Drex silo host from configuration: Orleans, storage, grains, health endpoints and metrics.</summary>
public static partial class SiloHosting
{
    /// <summary>Tag of the health checks that must pass before the silo reports started.</summary>
    public const string StartupTag = "startup";

    /// <summary>Tag of the health checks that must pass for the silo to take traffic; other services may add their own.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Makes the host a Drex silo: the <c>Orleans</c> section (identity, clustering, ports), <c>Drex:Storage</c>
    /// (grain storage <see cref="GrainStorage.Name"/> on Azure tables or in memory; bundle and log stores), the Drex
    /// grains, health checks and metrics from <c>Drex:Silo</c>. Invalid or missing settings throw here, naming the setting.
    /// </summary>
    public static WebApplicationBuilder AddDrexSilo(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var silo = Bind<SiloOptions>(configuration, SiloOptions.SectionName).Validate();
        var host = Bind<SiloHostOptions>(configuration, SiloHostOptions.SectionName).Validate();
        var storage = configuration.GetDrexStorageOptions();
        if (silo.Clustering == ClusteringKind.AzureTable && string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            throw new InvalidOperationException(
                $"Configuration {SiloOptions.SectionName}:Clustering is AzureTable, which needs {StorageOptions.SectionName}:ConnectionString.");
        }

        // Orleans reads Orleans:Clustering itself, as a provider section; the word Drex puts there is hidden from it
        // (the gateway does the same), so one configuration shape serves silo and gateway.
        if (configuration.GetSection($"{SiloOptions.SectionName}:Clustering").Value is not null)
        {
            configuration.AddInMemoryCollection([new($"{SiloOptions.SectionName}:Clustering", null)]);
        }

        builder.Services.AddSingleton(silo);
        builder.Services.AddSingleton(host);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(host.HttpPort));
        builder.Services.AddDrexStorage(configuration);
        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (silo.ClusterId, silo.ServiceId));
            ConfigureClustering(orleans, silo, storage);
            if (storage.Kind == StorageKind.Azure)
            {
                // The registry writes once per publish: Orleans' own table storage. Actors write on every interaction:
                // the group-committing table storage sends the writes that wait together as one transaction.
                orleans.AddAzureTableGrainStorage(GrainStorage.Name, o => o.TableServiceClient = new TableServiceClient(storage.ConnectionString));
                orleans.Services.AddGroupCommitTableGrainStorage(GrainStorage.Actors, storage.ConnectionString!, ActorTableOptions(storage));
            }
            else
            {
                // Folder and Memory keep grain state in memory: a restart starts actors afresh (the log file survives).
                orleans.AddDrexMemoryGrainStorage(GrainStorage.Name);
                orleans.AddDrexMemoryGrainStorage(GrainStorage.Actors);
            }

            orleans.AddDrexGrains(configuration);
        });

        builder.Services.AddSingleton<SiloLifecycleHealth>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloLifecycleHealth>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            SiloLifecycleHealth.Name, sp => sp.GetRequiredService<SiloLifecycleHealth>(), failureStatus: null, tags: [StartupTag, ReadyTag]));

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("drex-silo", serviceInstanceId: $"{Dns.GetHostName()}:{silo.SiloPort}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Drex.*", "Microsoft.Orleans");
                if (host.MetricsExporter.Equals("Console", StringComparison.OrdinalIgnoreCase))
                {
                    metrics.AddConsoleExporter((_, reader) =>
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = host.MetricsIntervalSeconds * 1000);
                }
            });
        return builder;
    }

    /// <summary>Maps <c>/health/startup</c>, <c>/health/ready</c> and <c>/health/live</c> (the process answers).</summary>
    public static WebApplication MapDrexSiloHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/startup", new HealthCheckOptions { Predicate = c => c.Tags.Contains(StartupTag) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        return app;
    }

    /// <summary>Logs what this silo is (its identity, clustering, ports and storage) once, at startup.</summary>
    public static void LogSiloConfiguration(this WebApplication app)
    {
        var silo = app.Services.GetRequiredService<SiloOptions>();
        var host = app.Services.GetRequiredService<SiloHostOptions>();
        LogStarting(app.Logger, silo.ClusterId, silo.ServiceId, silo.Clustering, silo.SiloPort, silo.GatewayPort, host.HttpPort,
            app.Configuration.GetDrexStorageOptions().Kind);
    }

    private static TableGrainStorageOptions ActorTableOptions(StorageOptions storage)
    {
        try
        {
            return new TableGrainStorageOptions { TableName = storage.ActorTable, Partitions = storage.ActorPartitions }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(
                $"Configuration {StorageOptions.SectionName}:{nameof(StorageOptions.ActorTable)}/{nameof(StorageOptions.ActorPartitions)}: {e.Message}", e);
        }
    }

    private static void ConfigureClustering(ISiloBuilder orleans, SiloOptions silo, StorageOptions storage)
    {
        switch (silo.Clustering)
        {
            case ClusteringKind.AzureTable:
                orleans.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(storage.ConnectionString));
                if (silo.AdvertisedIPAddress is { Length: > 0 } address)
                {
                    orleans.ConfigureEndpoints(IPAddress.Parse(address), silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: true);
                }
                else
                {
                    orleans.ConfigureEndpoints(silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: true);
                }

                break;
            default:
                var primary = silo.PrimarySiloPort is { } port && port != silo.SiloPort ? new IPEndPoint(IPAddress.Loopback, port) : null;
                orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, primary, silo.ServiceId, silo.ClusterId);
                break;
        }
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Configuration {section} is not valid: {e.Message}", e);
        }

        return options;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Drex silo: cluster {ClusterId}, service {ServiceId}, {Clustering} clustering, silo port {SiloPort}, gateway port {GatewayPort}, health on http port {HttpPort}, storage {StorageKind}.")]
    private static partial void LogStarting(ILogger logger, string clusterId, string serviceId, ClusteringKind clustering,
        int siloPort, int gatewayPort, int httpPort, StorageKind? storageKind);
}
