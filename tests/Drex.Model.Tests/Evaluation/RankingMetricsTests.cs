using Drex.Model.Evaluation;

namespace Drex.Model.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    // User a, ranked by prediction (tie a4/a6 broken by item id): a2 -, a1 +, a4 -, a6 +, a3 +, a5 +  (4 relevant of 6).
    // User b: b2 -, b1 +  (1 relevant of 2). User c: nothing relevant, left out.
    private static readonly (string, string, float, float)[] Rows =
    [
        ("a", "a1", 5f, 4.5f),
        ("a", "a2", 2f, 4.8f),
        ("a", "a3", 4f, 3.0f),
        ("a", "a4", 3f, 4.0f),
        ("a", "a5", 5f, 2.0f),
        ("a", "a6", 4f, 4.0f),
        ("b", "b1", 4f, 1.0f),
        ("b", "b2", 1f, 2.0f),
        ("c", "c1", 3f, 5.0f),
    ];

    [Fact]
    public void Compute_HandWorkedCase_GivesExactNdcgPrecisionRecallF1()
    {
        var result = RankingMetrics.Compute(Rows, ks: [2, 5]);

        Assert.Equal(2, result.RankedUsers);
        Assert.Equal(1, result.SkippedUsers);

        // k=2. a: DCG 1/log2(3), IDCG 1 + 1/log2(3); P 1/2, R 1/4, F1 1/3. b: NDCG 1/log2(3); P 1/2, R 1, F1 2/3.
        var at2 = result.At(2);
        var b = 1 / Math.Log2(3);
        Assert.Equal(((b / (1 + b)) + b) / 2, at2.Ndcg, 12);
        Assert.Equal(0.5088912804029996, at2.Ndcg, 12);
        Assert.Equal(0.5, at2.Precision, 12);
        Assert.Equal(0.625, at2.Recall, 12);
        Assert.Equal(0.5, at2.F1, 12);

        // k=5. a: hits at ranks 2, 4, 5 of 5; IDCG over 4 relevant; P 3/5, R 3/4, F1 2/3. b has 2 items: as at k=2.
        var at5 = result.At(5);
        var dcgA = (1 / Math.Log2(3)) + (1 / Math.Log2(5)) + (1 / Math.Log2(6));
        var idcgA = 1 + (1 / Math.Log2(3)) + 0.5 + (1 / Math.Log2(5));
        Assert.Equal(((dcgA / idcgA) + b) / 2, at5.Ndcg, 12);
        Assert.Equal(0.5981896484055551, at5.Ndcg, 12);
        Assert.Equal(0.55, at5.Precision, 12);
        Assert.Equal(0.875, at5.Recall, 12);
        Assert.Equal(2.0 / 3.0, at5.F1, 12);
    }

    [Fact]
    public void Compute_PerfectRanking_GivesNdcgOne()
    {
        (string, string, float, float)[] rows = [("u", "i1", 5f, 5f), ("u", "i2", 4f, 4f), ("u", "i3", 1f, 1f)];

        var at = RankingMetrics.Compute(rows, ks: [1, 2, 3]);

        Assert.Equal([1.0, 1.0, 1.0], at.AtK.Select(a => a.Ndcg));
        Assert.Equal([1.0, 1.0, 2.0 / 3.0], at.AtK.Select(a => a.Precision));
        Assert.Equal([0.5, 1.0, 1.0], at.AtK.Select(a => a.Recall));
    }

    [Fact]
    public void Compute_DefaultCutOffsAndThreshold_Uses5And10And20AtFour()
    {
        var result = RankingMetrics.Compute(Rows);

        Assert.Equal([5, 10, 20], result.AtK.Select(a => a.K));
        Assert.Equal(4f, result.RelevantThreshold);
        Assert.Equal(result.At(10), result.At(20) with { K = 10 });
    }

    [Fact]
    public void Compute_HigherThreshold_LeavesOutUsersWithoutRelevantItems()
    {
        var result = RankingMetrics.Compute(Rows, relevantThreshold: 5);

        Assert.Equal(1, result.RankedUsers);
        Assert.Equal(2, result.SkippedUsers);
    }

    [Fact]
    public void Compute_NoRelevantItemAnywhere_GivesZerosAndNoRankedUsers()
    {
        var result = RankingMetrics.Compute([("u", "i", 2f, 3f)]);

        Assert.Equal(0, result.RankedUsers);
        Assert.Equal(1, result.SkippedUsers);
        Assert.All(result.AtK, a => Assert.Equal(0, a.Ndcg));
    }

    [Fact]
    public void Compute_NonPositiveCutOff_Throws()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.Compute(Rows, ks: [0]));
    }
}
