using Drex.Contracts;
using Drex.Grains.Services;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Storage;

namespace Drex.Grains;

/// <summary>An item: DReX state and keyword profile; every durable change refreshes its partition of the item index.</summary>
[Reentrant]
public sealed class ItemGrain(
    [FromKeyedServices(GrainStorage.Actors)] IGrainStorage storage, ModelHost models, ReviewEncodingService encoder,
    LogReviewCache reviews, GrainReferences grains, DrexMetrics metrics)
    : ActorGrain("item", storage, models, encoder, reviews, metrics), IItemGrain
{
    /// <summary>The keyword profile this activation last sent to the index: a profile is sent again only when it changed.</summary>
    private Keyword[]? _indexedKeywords;

    protected override bool IsUser => false;

    public Task<ActorReading?> ReadForIndexAsync(string modelVersion) => ReadStoredAsync(modelVersion);

    protected override Task OnUpdatedAsync(Durable current, LoadedModel model)
    {
        var keywords = ReferenceEquals(current.Keywords, _indexedKeywords) ? null : current.Keywords;
        _indexedKeywords = current.Keywords;
        return grains.Get<IItemIndexGrain>(ItemPartition.Of(Id, model.IndexPartitions.Count))
            .UpsertAsync(new ActorVector(Id, current.State, current.Bias, current.ModelVersion), keywords);
    }
}
