using Drex.Contracts;
using Drex.Grains.Services;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>A user: DReX state, keyword profile, the items it interacted with, and its live prediction error.</summary>
[Reentrant]
public sealed class UserGrain(
    ModelHost models, ReviewEncodingService encoder, LogReviewCache reviews,
    DrexMetrics metrics)
    : ActorGrain("user", models, encoder, reviews, metrics), IUserGrain
{
    protected override bool IsUser => true;

    public async Task<UserQueryContext> GetQueryContextAsync()
    {
        var (vector, view) = await ReadAsync();
        return new UserQueryContext(vector, view, S.Counterparts.ToArray());
    }
}
