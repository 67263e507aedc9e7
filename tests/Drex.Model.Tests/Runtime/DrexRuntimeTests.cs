using System.Text;
using Drex.Model.Bundle;
using Drex.Model.Keywords;
using Drex.Model.Onnx;
using Drex.Model.Runtime;

namespace Drex.Model.Tests.Runtime;

public sealed class DrexRuntimeTests
{
    [Fact]
    public void Encode_RatingOnly_IsTheEncodersOutputForItsLevel_ComputedOncePerLevel()
    {
        var settings = new ModelSettings { HiddenDim = 8, FusionDim = 8, AttentionDim = 8, TextFeatureDim = 8, RatingDim = 4, MlpHiddenDim = 8 };
        using var runtime = new DrexRuntime(Bundle(settings));

        float[] ratings = [1f, 1.2f, 2f, 3f, 3.4f, 4f, 5f];
        var single = ratings.Select(r => runtime.Encode(new InteractionInput([], 0, r))).ToArray();
        var batched = runtime.Encode(ratings.Select(r => new InteractionInput([], 0, r)).ToArray());

        for (var k = 0; k < ratings.Length; k++)
        {
            Assert.Equal(batched[k].Feature, single[k].Feature, (a, b) => Math.Abs(a - b) < 1e-6f);
            Assert.Empty(single[k].Attention);
        }

        // 1 and 1.2 fall on level 0, 3 and 3.4 on level 2: the same feature; other levels differ.
        Assert.Same(single[0], single[1]);
        Assert.Same(single[3], single[4]);
        Assert.Same(single[0], runtime.Encode(new InteractionInput([], 0, 1f)));
        Assert.NotEqual(single[0].Feature, single[2].Feature);
        Assert.NotEqual(single[3].Feature, single[6].Feature);

        // A review is encoded each time, never shared.
        var tokens = Enumerable.Range(0, settings.TextDim).Select(i => (float)Math.Sin(i)).ToArray();
        var review = new InteractionInput(tokens, 1, 3f);
        Assert.NotSame(runtime.Encode(review), runtime.Encode(review));
        Assert.NotEqual(single[3].Feature, runtime.Encode(review).Feature);
    }

    [Fact]
    public async Task BatchedStepsAndPredictions_EqualTheDirectOnes_RowByRow()
    {
        var settings = new ModelSettings { HiddenDim = 8, FusionDim = 8, AttentionDim = 8, TextFeatureDim = 8, RatingDim = 4, MlpHiddenDim = 8 };
        using var runtime = new DrexRuntime(Bundle(settings));
        var random = new Random(3);
        float[] R(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5))];
        var rows = Enumerable.Range(0, 40).Select(_ => (Feature: R(8), State: R(8), Bias: R(1)[0])).ToArray();

        // Concurrent callers, so runs serve several rows at once.
        var users = await Task.WhenAll(rows.Select(r => Task.Run(() => runtime.StepUserAsync(r.Feature, r.State))));
        var items = await Task.WhenAll(rows.Select(r => Task.Run(() => runtime.StepItemAsync(r.Feature, r.State))));
        var ratings = await Task.WhenAll(rows.Select((r, k) => Task.Run(() => runtime.PredictAsync(r.State, r.Bias, rows[^(k + 1)].State, 0.1f))));

        for (var k = 0; k < rows.Length; k++)
        {
            Assert.Equal(runtime.StepUser(rows[k].Feature, rows[k].State), users[k], (a, b) => Math.Abs(a - b) < 1e-6f);
            Assert.Equal(runtime.StepItem(rows[k].Feature, rows[k].State), items[k], (a, b) => Math.Abs(a - b) < 1e-6f);
            Assert.Equal(runtime.Predict(rows[k].State, rows[k].Bias, rows[^(k + 1)].State, 0.1f), ratings[k], 1e-5f);
        }

        await Assert.ThrowsAsync<ArgumentException>(() => runtime.StepUserAsync(R(7), R(8)));
        await Assert.ThrowsAsync<ArgumentException>(() => runtime.PredictAsync(R(8), 0f, R(9), 0f));
    }

    private static ModelBundle Bundle(ModelSettings settings)
    {
        var random = new Random(7);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var snapshot = new ActorSnapshot { UserInitial = R(settings.HiddenDim), ItemInitial = R(settings.HiddenDim), Users = [], Items = [] };
        var vocabulary = KeywordVocabulary.Build([["great", "strings"], ["warm", "tone"]]).ToJson();
        return ModelBundle.Create(
            "v1", settings, "test-encoder", new TrainingWatermark(0, -1, 0), new ValidationMetrics(0.8, 1, 1, 10),
            DrexGraphs.Build(settings, ModelWeights.Random(settings, seed: 7)), snapshot, Encoding.UTF8.GetBytes(vocabulary));
    }
}
