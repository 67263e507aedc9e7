using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Drex.Persistence;

/// <summary>Registers <see cref="GroupCommitTableGrainStorage"/> with a silo.</summary>
public static class PersistenceHostingExtensions
{
    /// <summary>
    /// Adds grain storage <paramref name="name"/> on the Azure Table service behind <paramref name="connectionString"/>,
    /// group-committing writes per table partition. The grain states are kept with the silo's grain storage serializer.
    /// </summary>
    public static IServiceCollection AddGroupCommitTableGrainStorage(
        this IServiceCollection services, string name, string connectionString, TableGrainStorageOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options.Validate();
        return services.AddGrainStorage(name, (provider, storageName) => new GroupCommitTableGrainStorage(
            storageName,
            new TableServiceClient(connectionString),
            options,
            provider.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            provider.GetRequiredService<IGrainStorageSerializer>(),
            provider.GetRequiredService<ILogger<GroupCommitTableGrainStorage>>()));
    }
}
