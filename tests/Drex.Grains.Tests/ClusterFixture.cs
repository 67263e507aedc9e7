using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Bundle;
using Drex.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Drex.Grains.Tests;

/// <summary>
/// A real two-silo Orleans cluster in this process (so calls cross silos), with memory grain storage and a shared
/// bundle folder and interaction log under a temporary directory. Model v1 is published at start.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string FirstVersion = "v1";

    public string Root { get; } = Directory.CreateTempSubdirectory("drex-grains-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public IBundleStore Bundles { get; private set; } = null!;

    public ModelBundle First { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Drex:Storage:Kind"] = "Folder",
            ["Drex:Storage:Path"] = Root,
        };
        var builder = new TestClusterBuilder(2);
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(settings));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Bundles = Services(Cluster.Silos[0]).GetRequiredService<IBundleStore>();
        First = TestBundles.Create(FirstVersion, seed: 1, users: ["known-user"], items: ["i1", "i2", "i3", "i4", "i5"]);
        await PublishAsync(First);
    }

    /// <summary>Uploads and publishes a bundle, then waits until every silo serves it (the model host's swap signal).</summary>
    public async Task PublishAsync(ModelBundle bundle)
    {
        await Bundles.UploadAsync(bundle);
        var waits = Cluster.Silos.Select(s => WaitForVersionAsync(Services(s).GetRequiredService<ModelHost>(), bundle.Version)).ToArray();
        await Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).PublishAsync(bundle.Version);
        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Activates a version and waits until every silo serves it.</summary>
    public async Task ActivateAsync(string version)
    {
        var waits = Cluster.Silos.Select(s => WaitForVersionAsync(Services(s).GetRequiredService<ModelHost>(), version)).ToArray();
        await Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).ActivateAsync(version);
        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Makes a version active (and served by every silo) unless it already is: for tests that rely on its snapshot.</summary>
    public async Task EnsureActiveAsync(string version)
    {
        if ((await Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).GetCurrentAsync())?.Version != version)
        {
            await ActivateAsync(version);
        }
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    private static IServiceProvider Services(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services;

    private static Task WaitForVersionAsync(ModelHost host, string version)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Swapped += m =>
        {
            if (m.Version == version)
            {
                done.TrySetResult();
            }
        };
        if (host.Current?.Version == version)
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddDrexMemoryGrainStorage(GrainStorage.Name).AddDrexMemoryGrainStorage(GrainStorage.Actors);
            siloBuilder.AddDrexGrains(siloBuilder.Configuration);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
