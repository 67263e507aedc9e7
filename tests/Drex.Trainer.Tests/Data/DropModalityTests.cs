using Drex.Model.Data;
using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Data;

public sealed class DropModalityTests
{
    [Fact]
    public void Reviews_HalfOfTraining_StripsExactlyHalfOfReviewCarriers()
    {
        var dataset = Both(100);
        var train = Enumerable.Range(0, 80).ToList();

        var result = DropModality.Reviews(dataset, train, 0.5, seed: 3);

        Assert.Equal((40, 0), (result.Stripped, result.Removed));
        Assert.Equal(train, result.Train);
        Assert.Equal(40, train.Count(n => !result.Dataset.Interactions[n].HasReview));
        Assert.All(train, n => Assert.True(result.Dataset.Interactions[n].HasRating));
        Assert.All(Enumerable.Range(80, 20), n => Assert.Same(dataset.Interactions[n], result.Dataset.Interactions[n]));
        Assert.Equal(100, dataset.Interactions.Count(x => x.HasReview));
    }

    [Fact]
    public void Ratings_InteractionsLeftWithNothing_AreRemovedFromTraining()
    {
        var interactions = Enumerable.Range(0, 10)
            .Select(t => new Interaction($"u{t}", "i", 4f, t < 4 ? "text" : null, t))
            .ToList();
        var dataset = Dataset.Build(interactions);
        var train = Enumerable.Range(0, 10).ToList();

        var result = DropModality.Ratings(dataset, train, 1.0, seed: 1);

        Assert.Equal((10, 6), (result.Stripped, result.Removed));
        Assert.Equal([0, 1, 2, 3], result.Train);
        Assert.All(result.Train, n => Assert.Equal((false, true), (result.Dataset.Interactions[n].HasRating, result.Dataset.Interactions[n].HasReview)));
    }

    [Fact]
    public void Reviews_SameSeed_SameChoiceAndOtherSeedDiffers()
    {
        var dataset = Both(200);
        var train = Enumerable.Range(0, 200).ToList();

        int[] Stripped(int seed)
        {
            var result = DropModality.Reviews(dataset, train, 0.3, seed);
            return [.. train.Where(n => !result.Dataset.Interactions[n].HasReview)];
        }

        Assert.Equal(60, Stripped(1).Length);
        Assert.Equal(Stripped(1), Stripped(1));
        Assert.NotEqual(Stripped(1), Stripped(2));
    }

    [Fact]
    public void Reviews_FractionCountsOnlyCarriers_RoundsHalfUp()
    {
        var interactions = Enumerable.Range(0, 10)
            .Select(t => new Interaction($"u{t}", "i", 4f, t < 5 ? "text" : null, t))
            .ToList();
        var dataset = Dataset.Build(interactions);

        var result = DropModality.Reviews(dataset, Enumerable.Range(0, 10).ToList(), 0.5, seed: 9);

        Assert.Equal(3, result.Stripped);
        Assert.Equal(2, result.Dataset.Interactions.Count(x => x.HasReview));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    public void Reviews_FractionOutsideUnitInterval_Throws(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DropModality.Reviews(Both(4), [0, 1], fraction, 1));
    }

    [Fact]
    public void Reviews_Result_KeepsIndicesAndRatingRange()
    {
        var dataset = Both(20);

        var result = DropModality.Reviews(dataset, Enumerable.Range(0, 20).ToList(), 1.0, seed: 1).Dataset;

        Assert.Equal(dataset.UserIndices, result.UserIndices);
        Assert.Equal(dataset.ItemIds, result.ItemIds);
        Assert.Equal(dataset.RatingRange, result.RatingRange);
    }

    private static Dataset Both(int count) =>
        Dataset.Build(Enumerable.Range(0, count).Select(t => new Interaction($"u{t % 7}", $"i{t}", 1 + t % 5, $"review {t}", t)));
}
