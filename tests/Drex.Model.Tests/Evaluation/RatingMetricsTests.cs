using Drex.Model.Evaluation;

namespace Drex.Model.Tests.Evaluation;

public sealed class RatingMetricsTests
{
    [Fact]
    public void Compute_PredictionsOutsideRange_ClampsThenAverages()
    {
        (string, string, float, float)[] rows =
        [
            ("u1", "i1", 5f, 5.5f), // clamped to 5: error 0
            ("u1", "i2", 3f, 4f),   // error 1
            ("u2", "i1", 1f, 0f),   // clamped to 1: error 0
            ("u2", "i3", 4f, 2f),   // error -2
        ];

        var result = RatingMetrics.Compute(rows, 1, 5);

        Assert.Equal(new RatingMetricsResult(4, 0.75, 1.25, Math.Sqrt(1.25)), result);
    }

    [Fact]
    public void Compute_NoRows_Throws()
    {
        Assert.Throws<ArgumentException>(() => RatingMetrics.Compute([], 1, 5));
    }

    [Fact]
    public void Compute_NaNPrediction_Throws()
    {
        Assert.Throws<ArgumentException>(() => RatingMetrics.Compute([("u", "i", 3f, float.NaN)], 1, 5));
    }
}
