using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Drex.Grains;

/// <summary>
/// Registers what the Drex grains need on a silo: storage, the model host, the review encoder, metrics, the grain
/// state serializer every grain storage provider uses, and the placement of the item-index partitions.
/// </summary>
public static class GrainsHostingExtensions
{
    /// <summary>Adds the Drex grain services; the silo also needs the grain storage providers named <see cref="GrainStorage.Name"/> and <see cref="GrainStorage.Actors"/>.</summary>
    public static ISiloBuilder AddDrexGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddDrexGrains(configuration);
        return silo;
    }

    /// <summary>Adds grain storage <paramref name="name"/> in memory (<see cref="MemoryGrainStateStorage"/>): dev clusters and tests.</summary>
    public static ISiloBuilder AddDrexMemoryGrainStorage(this ISiloBuilder silo, string name)
    {
        silo.Services.AddGrainStorage(name, (services, storageName) => new MemoryGrainStateStorage(
            storageName, services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<IGrainStorageSerializer>()));
        return silo;
    }

    public static IServiceCollection AddDrexGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDrexStorage(configuration);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DrexMetrics>();
        services.TryAddSingleton<ModelHost>();
        services.TryAddSingleton<ReviewEncodingService>();
        services.TryAddSingleton<LogReviewCache>();
        services.TryAddSingleton<LogAppender>();
        services.TryAddSingleton<GrainReferences>();
        // Grain state in Orleans' binary format: the JSON default spent about half the silo's CPU serialising actor
        // states on every write (docs/BENCHMARKS-system.md); written through a reused buffer, not a growing new one.
        services.Replace(ServiceDescriptor.Singleton<IGrainStorageSerializer, PooledGrainStorageSerializer>());
        services.AddHostedService(sp => sp.GetRequiredService<ReviewEncodingService>());
        services.AddHostedService<ModelRefreshService>();
        services.AddPlacementDirector<SpreadPlacement, SpreadPlacementDirector>();
        return services;
    }
}
