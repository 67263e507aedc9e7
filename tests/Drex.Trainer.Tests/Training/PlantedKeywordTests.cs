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
    [Fact]
    public void KeywordProfiles_GeneratedReviews_TopFiveHoldPlantedWordsForNinetyPercentOfActors()
    {
        var dataset = Dataset.Build(DemoDataset.Generate(users: 40, items: 16, perUser: 8, seed: 4));
        using var encoder = ReviewEncoder.LoadEmbedded();
        var library = ReviewLibrary.Encode(dataset, encoder);
        var model = new DrexRatingModel(RatingHead.Dot, library, new TrainerOptions { MaxEpochs = 3, Device = "cpu" });
        var split = DatasetSplit.Random(dataset, seed: 1);
        model.Fit(dataset, split.Train, split.Validation, seed: 1);

        var bundle = BundleExporter.Export(
            model.Trained, model.Data, dataset.UserIds, dataset.ItemIds, split.Train, SnapshotPoint.End, "test", encoder.Identity,
            new TrainingWatermark(split.Train.Count, -1, 0), null);

        var actors = bundle.Snapshot.Users.Concat(bundle.Snapshot.Items).ToArray();
        var hits = actors.Count(a =>
        {
            var planted = DemoDataset.Genres[DemoDataset.GenreOf(a.Id)].Words;
            return a.Keywords.Take(5).Count(k => planted.Contains(k.Word)) >= 2;
        });
        output.WriteLine($"{hits} of {actors.Length} actors have two planted words in their top 5");
        Assert.True(hits >= 0.9 * actors.Length, $"{hits} of {actors.Length} actors have two planted words in their top 5");
        model.Dispose();
    }
}
