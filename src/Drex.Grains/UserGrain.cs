using Drex.Contracts;
using Drex.Grains.Services;

namespace Drex.Grains;

/// <summary>A user: DReX state, keyword profile, the items it interacted with, and its live prediction error.</summary>
public sealed class UserGrain(
    [PersistentState("user", GrainStorage.Name)] IPersistentState<ActorState> state, ModelHost models, ReviewEncodingService encoder)
    : ActorGrain(state, models, encoder), IUserGrain
{
    protected override bool IsUser => true;

    public Task<string[]> GetInteractedItemsAsync() => Task.FromResult(S.Counterparts.ToArray());
}
