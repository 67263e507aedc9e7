using Drex.Model.Bundle;
using Drex.Model.Text;
using Drex.Trainer.Data;
using Drex.Trainer.Demo;
using Drex.Trainer.Training;
using Xunit.Abstractions;

namespace Drex.Trainer.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class PlantedKeywordTests(ITestOutputHelper output)
{
    /// <summary>The trainer settings the test runs with: the defaults and the variants documented in BENCHMARKS.md.</summary>
    public static TheoryData<string> Variants => ["default", "no-auxiliary-loss"];

    internal static TrainerOptions OptionsOf(string variant)
    {
        var options = new TrainerOptions { MaxEpochs = 3, Device = "cpu" };
        return variant switch
        {
            // The auxiliary text loss (weight 5) and the out-of-fold head, with the sentiment attention taking the
            // auxiliary loss so that the keyword attention is trained by the rating loss alone.
            "default" => options,
            // The earlier default: a single attention, no auxiliary loss, the validation calibration.
            "no-auxiliary-loss" => options with { AuxTextLoss = 0, OutOfFoldHead = false, SentimentAttention = false },
            _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
        };
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void KeywordProfiles_GeneratedReviews_TopFiveHoldAPlantedWordForNinetyPercentOfActors(string variant)
    {
        var (hits, actors, settings) = PlantedHits(OptionsOf(variant));
        Assert.True(hits >= 0.9 * actors, $"{variant}: {hits} of {actors} actors have one of their planted words in their top 5");
        // The bundle records what it was trained with: the default has both attentions and the out-of-fold head.
        Assert.Equal(variant == "default", settings.SentimentAttention);
        Assert.Equal(variant == "default", settings.ActorReadouts);
    }

    /// <summary>How many actors have a planted word in their top 5 keywords after training with the given options.</summary>
    private (int Hits, int Actors, ModelSettings Settings) PlantedHits(TrainerOptions options)
    {
        var dataset = Dataset.Build(DemoDataset.Generate(users: 40, items: 16, perUser: 8, seed: 4));
        using var encoder = ReviewEncoder.LoadEmbedded();
        var library = ReviewLibrary.Encode(dataset, encoder);
        using var model = new DrexRatingModel(RatingHead.Dot, library, options);
        var split = DatasetSplit.Random(dataset, seed: 1);
        model.Fit(dataset, split.Train, split.Validation, seed: 1);

        var bundle = BundleExporter.Export(
            model.Trained, model.Data, dataset.UserIds, dataset.ItemIds, split.Train, SnapshotPoint.End, "test", encoder.Identity,
            new TrainingWatermark(split.Train.Count, -1, 0), null);

        // An actor's planted words: those of the genre its training reviews are most often about (an item's own
        // genre; for a user, mostly but not always its taste).
        var genreOf = split.Train.Select(x => dataset.Interactions[x])
            .SelectMany(x => new[] { (Actor: x.UserId, Genre: DemoDataset.GenreOf(x.ItemId)), (Actor: x.ItemId, Genre: DemoDataset.GenreOf(x.ItemId)) })
            .GroupBy(p => p.Actor)
            .ToDictionary(g => g.Key, g => g.GroupBy(p => p.Genre).OrderByDescending(c => c.Count()).ThenBy(c => c.Key).First().Key);
        var actors = bundle.Snapshot.Users.Concat(bundle.Snapshot.Items).ToArray();
        var hits = actors.Count(a =>
        {
            var planted = DemoDataset.Genres[genreOf[a.Id]].Words;
            return a.Keywords.Take(5).Any(k => planted.Contains(k.Word));
        });
        output.WriteLine($"{hits} of {actors.Length} actors have one of their planted words in their top 5 ({options})");
        return (hits, actors.Length, bundle.Settings);
    }
}
