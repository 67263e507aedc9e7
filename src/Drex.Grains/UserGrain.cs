using Drex.Contracts;
using Drex.Grains.Services;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>A user: DReX state, keyword profile, the items it interacted with, and its live prediction error.</summary>
[Reentrant]
public sealed class UserGrain(
    [PersistentState("user", GrainStorage.Actors)] IPersistentState<ActorState> state, ModelHost models, ReviewEncodingService encoder, LogReviewCache reviews,
    DrexMetrics metrics)
    : ActorGrain(state, models, encoder, reviews, metrics), IUserGrain
{
    protected override bool IsUser => true;

    public Task<string[]> GetInteractedItemsAsync() => Task.FromResult(S.Counterparts.ToArray());
}
