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

    public async Task<UserQueryContext> GetQueryContextAsync()
    {
        var (vector, view) = await ReadAsync();
        return new UserQueryContext(vector, view, S.Counterparts.ToArray());
    }
}
