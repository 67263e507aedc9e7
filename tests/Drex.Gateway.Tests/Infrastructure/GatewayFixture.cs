using Drex.Contracts;
using Drex.Grains.Tests;

namespace Drex.Gateway.Tests.Infrastructure;

/// <summary>One test silo with model v1 published and one gateway connected to it, shared by the collection.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string ModelVersion = "v1";

    public TestSilo Silo { get; private set; } = null!;

    public GatewayFactory Gateway { get; private set; } = null!;

    public GrainCallRecorder Recorder => Gateway.Recorder;

    public async Task InitializeAsync()
    {
        Silo = await TestSilo.StartAsync();
        await Silo.PublishAsync(TestBundles.Create(ModelVersion, seed: 1, items: ["catalog-1", "catalog-2", "catalog-3"]));
        Gateway = new GatewayFactory(Silo);
        Gateway.CreateClient().Dispose();
    }

    public HttpClient Client(string? apiKey) => Gateway.CreateClient(apiKey);

    /// <summary>The interaction log's head: it moves only when an interaction is ingested.</summary>
    public Task<long> LogHeadAsync() => Silo.Grains.GetGrain<IInteractionLogGrain>(DrexKeys.Log).GetHeadAsync();

    /// <summary>A user as the cluster sees it, read beside the gateway.</summary>
    public Task<ActorView> UserAsync(string id) => Silo.Grains.GetGrain<IUserGrain>(id).GetViewAsync();

    public Task<ActorView> ItemAsync(string id) => Silo.Grains.GetGrain<IItemGrain>(id).GetViewAsync();

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Silo.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}

/// <summary>Fresh ids per test, so tests sharing the cluster never see each other's actors.</summary>
public static class Ids
{
    public static string New(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
