using Drex.Contracts;
using Drex.Grains.Services;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>An item: DReX state and keyword profile; every durable change refreshes its partition of the item index.</summary>
[Reentrant]
public sealed class ItemGrain(
    [PersistentState("item", GrainStorage.Actors)] IPersistentState<ActorState> state, ModelHost models, ReviewEncodingService encoder, LogReviewCache reviews,
    DrexMetrics metrics)
    : ActorGrain(state, models, encoder, reviews, metrics), IItemGrain
{
    protected override bool IsUser => false;

    protected override Task OnUpdatedAsync(Durable current) =>
        GrainFactory.GetGrain<IItemIndexGrain>(ItemPartition.Of(Id)).UpsertAsync(new ActorVector(Id, current.State, current.Bias, current.ModelVersion));
}
