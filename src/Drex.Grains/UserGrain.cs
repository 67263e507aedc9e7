using Drex.Contracts;
using Drex.Grains.Services;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Storage;

namespace Drex.Grains;

/// <summary>A user: DReX state, keyword profile, the items it interacted with, and its live prediction error.</summary>
[Reentrant]
public sealed class UserGrain(
    [FromKeyedServices(GrainStorage.Actors)] IGrainStorage storage, ModelHost models, ReviewEncodingService encoder,
    LogReviewCache reviews, DrexMetrics metrics)
    : ActorGrain("user", storage, models, encoder, reviews, metrics), IUserGrain
{
    protected override bool IsUser => true;

    public async Task<UserQueryContext> GetQueryContextAsync()
    {
        var (vector, view) = await ReadAsync();
        return new UserQueryContext(vector, view, S.Counterparts.ToArray());
    }
}
