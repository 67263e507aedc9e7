using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Keywords;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>Answers predictions and recommendations, each explained by where the user's and item's profiles meet.</summary>
/// <remarks>Reentrant for the reason <see cref="IngestGrain"/> is: it only waits on other grains and keeps no state.</remarks>
[StatelessWorker, Reentrant]
public sealed class QueryGrain(ModelHost models) : Grain, IQueryGrain
{
    private const int ExplanationWords = 5;

    public async Task<PredictionView> PredictAsync(string userId, string itemId)
    {
        var model = await models.GetCurrentAsync();
        var user = GrainFactory.GetGrain<IUserGrain>(userId);
        var item = GrainFactory.GetGrain<IItemGrain>(itemId);
        var (u, i) = (user.GetVectorAsync(), item.GetVectorAsync());
        var (uv, iv) = (user.GetViewAsync(), item.GetViewAsync());
        var (p, q) = (await u, await i);
        var rating = model.Runtime.Predict(p.State, p.Bias, q.State, q.Bias);
        return new PredictionView(userId, itemId, rating, model.Version, Explain(await uv, await iv));
    }

    public async Task<RecommendationsView> RecommendAsync(string userId, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var model = await models.GetCurrentAsync();
        var user = GrainFactory.GetGrain<IUserGrain>(userId);
        // User actors are reentrant: the three reads run at once.
        var (vectorTask, excludeTask, userViewTask) = (user.GetVectorAsync(), user.GetInteractedItemsAsync(), user.GetViewAsync());
        var (vector, exclude) = (await vectorTask, await excludeTask);
        var partitions = await Task.WhenAll(Enumerable.Range(0, DrexKeys.IndexPartitions).Select(p =>
            GrainFactory.GetGrain<IItemIndexGrain>(p).TopAsync(vector.State, vector.Bias, k, exclude, vector.ModelVersion)));
        var best = partitions.SelectMany(x => x).OrderByDescending(x => x.Score).ThenBy(x => x.ItemId, StringComparer.Ordinal).Take(k).ToArray();
        var userView = await userViewTask;
        var itemViews = await Task.WhenAll(best.Select(b => GrainFactory.GetGrain<IItemGrain>(b.ItemId).GetViewAsync()));
        return new RecommendationsView(userId, model.Version,
            best.Select((b, n) => new PredictionView(userId, b.ItemId, b.Score, vector.ModelVersion, Explain(userView, itemViews[n]))).ToArray());
    }

    private static KeywordMatchView[] Explain(ActorView user, ActorView item) =>
        KeywordProfile.Explain(Profile(user), Profile(item), ExplanationWords)
            .Select(m => new KeywordMatchView(m.Word, m.Score, m.UserWeight, m.ItemWeight)).ToArray();

    private static KeywordProfile Profile(ActorView view) =>
        new(KeywordProfile.DefaultCapacity, view.Keywords.Select(k => new KeywordWeight(k.Word, k.Weight)).ToArray());
}
