using System.Diagnostics;
using Drex.Model.Evaluation;
using Drex.Trainer.Baselines;
using Drex.Trainer.Data;

namespace Drex.Trainer.Evaluation;

/// <summary>What one model scored on one seed's test set.</summary>
internal sealed record SeedResult(int Seed, RatingMetricsResult Rating, RankingMetricsResult Ranking, TimeSpan FitTime);

/// <summary>Robustness switches applied to the training interactions only.</summary>
internal sealed record Robustness(double DropReviews = 0, double DropRatings = 0);

/// <summary>
/// The evaluation protocol of MODEL.md: the same seeded splits for every model, test read once, rating metrics
/// clamped to the rating range and ranking metrics per user.
/// </summary>
internal sealed class Experiment(Dataset dataset, SplitKind split, Robustness robustness)
{
    public event Action<string, int, SeedResult>? Scored;

    /// <summary>Runs every model on every seed; results by model name, seeds in order.</summary>
    public Dictionary<string, List<SeedResult>> Run(IReadOnlyList<int> seeds, IReadOnlyList<Func<IRatingModel>> models, CancellationToken ct = default)
    {
        var range = dataset.RatingRange ?? throw new InvalidOperationException("The dataset has no ratings to evaluate on.");
        var results = new Dictionary<string, List<SeedResult>>();
        foreach (var seed in seeds)
        {
            var s = DatasetSplit.Create(dataset, split, seed);
            var (data, train) = (dataset, s.Train);
            if (robustness.DropReviews > 0)
            {
                var dropped = DropModality.Reviews(data, train, robustness.DropReviews, seed);
                (data, train) = (dropped.Dataset, dropped.Train);
            }

            if (robustness.DropRatings > 0)
            {
                var dropped = DropModality.Ratings(data, train, robustness.DropRatings, seed);
                (data, train) = (dropped.Dataset, dropped.Train);
            }

            foreach (var create in models)
            {
                ct.ThrowIfCancellationRequested();
                var model = create();
                var watch = Stopwatch.StartNew();
                model.Fit(data, train, s.Validation, seed);
                var fit = watch.Elapsed;
                var rows = s.Test
                    .Where(x => data.Interactions[x].Rating is not null)
                    .Select(x => (data.Interactions[x].UserId, data.Interactions[x].ItemId, data.Interactions[x].Rating!.Value,
                        model.Predict(data.UserIndices[x], data.ItemIndices[x])))
                    .ToList();
                (model as IDisposable)?.Dispose();
                var result = new SeedResult(seed, RatingMetrics.Compute(rows, range.Min, range.Max), RankingMetrics.Compute(rows), fit);
                if (!results.TryGetValue(model.Name, out var list))
                {
                    results[model.Name] = list = [];
                }

                list.Add(result);
                Scored?.Invoke(model.Name, seed, result);
            }
        }

        return results;
    }
}
