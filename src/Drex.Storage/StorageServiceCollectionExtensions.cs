using Azure.Storage.Blobs;
using Drex.Storage.Bundles;
using Drex.Storage.Log;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Drex.Storage;

/// <summary>Registers Drex's bundle store and interaction log store from configuration.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StorageOptions"/> from <c>Drex:Storage</c>, validates it now (a missing setting throws at
    /// startup, naming it) and registers <see cref="IBundleStore"/> and <see cref="IInteractionLogStore"/> singletons
    /// for the configured <see cref="StorageOptions.Kind"/>; Azure also registers a <see cref="BlobServiceClient"/>.
    /// Calling it again (the silo host and the grains may both) changes nothing.
    /// </summary>
    public static IServiceCollection AddDrexStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(StorageRegistered)))
        {
            return services;
        }

        var options = configuration.GetDrexStorageOptions();
        services.AddSingleton<StorageRegistered>();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));

        switch (options.Kind)
        {
            case StorageKind.Azure:
                services.TryAddSingleton(_ => BlobClients.Create(options.ConnectionString!));
                services.AddSingleton<IBundleStore>(sp =>
                {
                    var container = sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.BundleContainer);
                    var cache = string.IsNullOrWhiteSpace(options.BundleCachePath)
                        ? null
                        : new LocalBundleCache(
                            Path.Combine(options.BundleCachePath, container.AccountName, container.Name), options.BundleCacheKeep,
                            sp.GetService<ILogger<LocalBundleCache>>());
                    return new BlobBundleStore(container, sp.GetService<ILogger<BlobBundleStore>>(), cache);
                });
                services.AddSingleton<IInteractionLogStore>(sp => new BlobInteractionLogStore(
                    sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.LogContainer),
                    options.LogOptions,
                    sp.GetService<ILogger<BlobInteractionLogStore>>()));
                break;
            case StorageKind.Folder:
                services.AddSingleton<IBundleStore>(new FolderBundleStore(options.BundleFolder));
                services.AddSingleton<IInteractionLogStore>(sp => new FileInteractionLogStore(
                    options.LogFile, sp.GetService<ILogger<FileInteractionLogStore>>()));
                break;
            default:
                services.AddSingleton<IBundleStore, MemoryBundleStore>();
                services.AddSingleton<IInteractionLogStore, MemoryInteractionLogStore>();
                break;
        }

        return services;
    }

    /// <summary>Reads and validates the section <c>Drex:Storage</c> of a configuration.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing or invalid.</exception>
    public static StorageOptions GetDrexStorageOptions(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new StorageOptions();
        try
        {
            configuration.GetSection(StorageOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Configuration {StorageOptions.SectionName} is not valid: {e.Message}", e);
        }

        return options.Validate();
    }

    private sealed class StorageRegistered;
}
