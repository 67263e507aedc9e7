namespace Drex.Model.Evaluation;

/// <summary>Ranking quality at one cut-off, averaged over the ranked users.</summary>
/// <param name="K">The cut-off.</param>
/// <param name="Ndcg">NDCG@k with binary gains and a log2 discount.</param>
/// <param name="Precision">Relevant items in the top k over min(k, the user's test items).</param>
/// <param name="Recall">Relevant items in the top k over the user's relevant test items.</param>
/// <param name="F1">The mean over users of each user's harmonic mean of precision and recall (0 when both are 0).</param>
public sealed record RankingAtK(int K, double Ndcg, double Precision, double Recall, double F1);

/// <summary>Ranking metrics at every requested cut-off.</summary>
/// <param name="AtK">One entry per cut-off, in the order asked.</param>
/// <param name="RankedUsers">Users with at least one relevant test item: the ones averaged over.</param>
/// <param name="SkippedUsers">Users left out because none of their test items is relevant.</param>
/// <param name="RelevantThreshold">A test item is relevant when its true rating is at least this.</param>
public sealed record RankingMetricsResult(
    IReadOnlyList<RankingAtK> AtK, int RankedUsers, int SkippedUsers, float RelevantThreshold)
{
    /// <summary>The entry for cut-off <paramref name="k"/>.</summary>
    public RankingAtK At(int k) =>
        AtK.FirstOrDefault(a => a.K == k) ?? throw new ArgumentOutOfRangeException(nameof(k), k, "Cut-off not computed.");
}

/// <summary>
/// Per-user ranking of test items by predicted rating (NDCG@k, precision, recall and F1@k). Each user's test items
/// are sorted by prediction, highest first, ties by item id (ordinal), so results are deterministic. Predictions are
/// used as given (not clamped: clamping would create ties).
/// </summary>
public static class RankingMetrics
{
    /// <summary>The cut-offs used unless told otherwise.</summary>
    public static IReadOnlyList<int> DefaultKs { get; } = [5, 10, 20];

    /// <summary>
    /// Scores <paramref name="rows"/> at each of <paramref name="ks"/> (default 5, 10, 20). Metrics are 0 when no user
    /// has a relevant test item; <see cref="RankingMetricsResult.RankedUsers"/> then says 0.
    /// </summary>
    public static RankingMetricsResult Compute(
        IReadOnlyList<(string User, string Item, float Truth, float Prediction)> rows,
        IReadOnlyList<int>? ks = null,
        float relevantThreshold = 4)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ks ??= DefaultKs;
        if (ks.Count == 0 || ks.Any(k => k < 1))
        {
            throw new ArgumentException("Cut-offs are one or more positive integers.", nameof(ks));
        }

        if (rows.Any(r => float.IsNaN(r.Prediction)))
        {
            throw new ArgumentException("A prediction is NaN.", nameof(rows));
        }

        var sums = new double[ks.Count, 4];
        int ranked = 0, skipped = 0;
        foreach (var user in rows.GroupBy(r => r.User, StringComparer.Ordinal))
        {
            var relevant = user
                .OrderByDescending(r => r.Prediction)
                .ThenBy(r => r.Item, StringComparer.Ordinal)
                .Select(r => r.Truth >= relevantThreshold)
                .ToArray();
            var relevantCount = relevant.Count(r => r);
            if (relevantCount == 0)
            {
                skipped++;
                continue;
            }

            ranked++;
            for (var j = 0; j < ks.Count; j++)
            {
                var cut = Math.Min(ks[j], relevant.Length);
                double hits = 0, dcg = 0, idcg = 0;
                for (var i = 0; i < cut; i++)
                {
                    if (relevant[i])
                    {
                        hits++;
                        dcg += Discount(i);
                    }
                }

                for (var i = 0; i < Math.Min(ks[j], relevantCount); i++)
                {
                    idcg += Discount(i);
                }

                var precision = hits / cut;
                var recall = hits / relevantCount;
                sums[j, 0] += dcg / idcg;
                sums[j, 1] += precision;
                sums[j, 2] += recall;
                sums[j, 3] += hits == 0 ? 0 : 2 * precision * recall / (precision + recall);
            }
        }

        var atK = new RankingAtK[ks.Count];
        var users = Math.Max(ranked, 1);
        for (var j = 0; j < ks.Count; j++)
        {
            atK[j] = new RankingAtK(ks[j], sums[j, 0] / users, sums[j, 1] / users, sums[j, 2] / users, sums[j, 3] / users);
        }

        return new RankingMetricsResult(atK, ranked, skipped, relevantThreshold);
    }

    /// <summary>1 / log2(rank + 1) for the zero-based position <paramref name="position"/>.</summary>
    private static double Discount(int position) => 1 / Math.Log2(position + 2);
}
