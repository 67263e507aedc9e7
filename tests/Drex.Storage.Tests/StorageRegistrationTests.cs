using Drex.Storage.Bundles;
using Drex.Storage.Log;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Drex.Storage.Tests;

public sealed class StorageRegistrationTests
{
    [Fact]
    public void AddDrexStorage_NoKind_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Services([]));

        Assert.Contains("Drex:Storage:Kind is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDrexStorage_UnknownKind_ThrowsNamingTheSection()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Services(new() { ["Drex:Storage:Kind"] = "Cloud" }));

        Assert.Contains("Drex:Storage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDrexStorage_AzureWithoutConnectionString_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Services(new() { ["Drex:Storage:Kind"] = "Azure" }));

        Assert.Contains("Drex:Storage:ConnectionString is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDrexStorage_FolderWithoutPath_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Services(new() { ["Drex:Storage:Kind"] = "Folder" }));

        Assert.Contains("Drex:Storage:Path is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDrexStorage_InvalidContainerName_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Services(new()
        {
            ["Drex:Storage:Kind"] = "Azure",
            ["Drex:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Drex:Storage:LogContainer"] = "Drex_Log",
        }));

        Assert.Contains("LogContainer 'Drex_Log'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDrexStorage_Azure_RegistersBlobStores()
    {
        using var services = Services(new()
        {
            ["Drex:Storage:Kind"] = "Azure",
            ["Drex:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        });

        Assert.Null(Assert.IsType<BlobBundleStore>(services.GetRequiredService<IBundleStore>()).Cache);
        Assert.IsType<BlobInteractionLogStore>(services.GetRequiredService<IInteractionLogStore>());
    }

    [Fact]
    public void AddDrexStorage_AzureWithABundleCache_CachesEachAccountAndContainerInAFolderOfItsOwn()
    {
        var root = Path.Combine(Path.GetTempPath(), "drex-registration-cache");
        using var services = Services(new()
        {
            ["Drex:Storage:Kind"] = "Azure",
            ["Drex:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Drex:Storage:BundleContainer"] = "models-a",
            ["Drex:Storage:BundleCachePath"] = root,
            ["Drex:Storage:BundleCacheKeep"] = "2",
        });

        var cache = Assert.IsType<BlobBundleStore>(services.GetRequiredService<IBundleStore>()).Cache;
        Assert.NotNull(cache);
        Assert.Equal(Path.Combine(root, "devstoreaccount1", "models-a"), cache.Root);
        Assert.Equal(2, cache.Keep);
    }

    [Fact]
    public void AddDrexStorage_BundleCacheKeepingNoVersion_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Services(new()
        {
            ["Drex:Storage:Kind"] = "Azure",
            ["Drex:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Drex:Storage:BundleCacheKeep"] = "0",
        }));

        Assert.Contains("Drex:Storage:BundleCacheKeep must be at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDrexStorage_Folder_RegistersFolderStoresUnderThePath()
    {
        var root = Path.Combine(Path.GetTempPath(), "drex-registration");
        using var services = Services(new() { ["Drex:Storage:Kind"] = "folder", ["Drex:Storage:Path"] = root });

        Assert.Equal(Path.Combine(root, "models"), Assert.IsType<FolderBundleStore>(services.GetRequiredService<IBundleStore>()).Root);
        Assert.Equal(
            Path.Combine(root, "log", "interactions.jsonl"),
            Assert.IsType<FileInteractionLogStore>(services.GetRequiredService<IInteractionLogStore>()).FilePath);
    }

    [Fact]
    public void AddDrexStorage_CalledTwice_RegistersOnce()
    {
        var configuration = Configuration(new() { ["Drex:Storage:Kind"] = "Memory" });
        var collection = new ServiceCollection().AddDrexStorage(configuration).AddDrexStorage(configuration);

        Assert.Single(collection, d => d.ServiceType == typeof(IBundleStore));
        using var services = collection.BuildServiceProvider();
        Assert.IsType<MemoryInteractionLogStore>(services.GetRequiredService<IInteractionLogStore>());
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddDrexStorage(Configuration(settings)).BuildServiceProvider();

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
