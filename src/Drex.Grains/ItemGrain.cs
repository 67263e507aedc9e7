using Drex.Contracts;
using Drex.Grains.Services;

namespace Drex.Grains;

/// <summary>An item: DReX state and keyword profile; every durable update refreshes its partition of the item index.</summary>
public sealed class ItemGrain(
    [PersistentState("item", GrainStorage.Name)] IPersistentState<ActorState> state, ModelHost models, ReviewEncodingService encoder)
    : ActorGrain(state, models, encoder), IItemGrain
{
    protected override bool IsUser => false;

    protected override Task OnUpdatedAsync() =>
        GrainFactory.GetGrain<IItemIndexGrain>(ItemIndexGrain.PartitionOf(Id)).UpsertAsync(new ActorVector(Id, S.State, S.Bias, S.ModelVersion));
}
