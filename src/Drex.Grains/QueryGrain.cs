using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Keywords;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>Answers predictions and recommendations, each explained by where the user's and item's profiles meet.</summary>
/// <remarks>Reentrant for the reason <see cref="IngestGrain"/> is: it only waits on other grains and keeps no state.</remarks>
[StatelessWorker, Reentrant]
public sealed class QueryGrain(ModelHost models, GrainReferences grains) : Grain, IQueryGrain
{
    private const int ExplanationWords = 5;

    public async Task<PredictionView> PredictAsync(string userId, string itemId)
    {
        var model = await models.GetCurrentAsync();
        // One read per actor: its state and its profile come from the same model version.
        var (u, i) = (grains.Get<IUserGrain>(userId).ReadAsync(), grains.Get<IItemGrain>(itemId).ReadAsync());
        var (user, item) = (await u, await i);
        var (p, q) = (user.Vector, item.Vector);
        var rating = model.Runtime.Predict(p.State, p.Bias, q.State, q.Bias);
        return new PredictionView(userId, itemId, rating, model.Version, Explain(Profile(user.View.Keywords), Profile(item.View.Keywords)));
    }

    public async Task<RecommendationsView> RecommendAsync(string userId, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var model = await models.GetCurrentAsync();
        var (vector, userView, interacted) = await grains.Get<IUserGrain>(userId).GetQueryContextAsync();
        // Each partition gets only the rated items it holds; it returns its best with the profiles that explain them.
        // While a swap is under way the user's version may not be this silo's, and its partition count unknown here:
        // then every possible partition is asked with every rated item (a partition the version does not use answers
        // at once with nothing, and one ignores the ids it does not hold).
        var known = vector.ModelVersion == model.Version;
        var count = known ? model.IndexPartitions.Count : ItemPartition.MaxPartitions;
        var exclude = known ? interacted.ToLookup(id => ItemPartition.Of(id, count)) : null;
        var partitions = await Task.WhenAll(Enumerable.Range(0, count).Select(p =>
            grains.Get<IItemIndexGrain>(p).TopAsync(vector.State, vector.Bias, k, exclude is null ? interacted : [.. exclude[p]], vector.ModelVersion)));
        var best = partitions.SelectMany(x => x).OrderByDescending(x => x.Score).ThenBy(x => x.ItemId, StringComparer.Ordinal).Take(k);
        var user = Profile(userView.Keywords);
        return new RecommendationsView(userId, model.Version,
            [.. best.Select(b => new PredictionView(userId, b.ItemId, b.Score, vector.ModelVersion, Explain(user, Profile(b.Keywords))))]);
    }

    private static KeywordMatchView[] Explain(KeywordProfile user, KeywordProfile item) =>
        [.. KeywordProfile.Explain(user, item, ExplanationWords).Select(m => new KeywordMatchView(m.Word, m.Score, m.UserWeight, m.ItemWeight))];

    private static KeywordProfile Profile(Keyword[] keywords) =>
        new(KeywordProfile.DefaultCapacity, [.. keywords.Select(k => new KeywordWeight(k.Word, k.Weight))]);
}
