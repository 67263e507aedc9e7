using System.Text;
using Drex.Model.Bundle;
using Drex.Model.Keywords;
using Drex.Model.Onnx;
using Drex.Model.Runtime;
using Microsoft.ML.OnnxRuntime;
using Onnx;

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

    [Theory]
    [InlineData(false, false, RatingHead.Dot)]
    [InlineData(true, true, RatingHead.Dot)]
    [InlineData(false, true, RatingHead.Mlp)]
    public void StepsAndPredictions_AreWhatOnnxRuntimeComputesFromTheSameGraphs(bool sharedCells, bool actorReadouts, RatingHead head)
    {
        var settings = new ModelSettings
        {
            HiddenDim = 12, FusionDim = 10, AttentionDim = 8, TextFeatureDim = 8, RatingDim = 4, MlpHiddenDim = 6,
            SharedCells = sharedCells, ActorReadouts = actorReadouts, Head = head, GlobalMean = 3.5f,
        };
        var bundle = Bundle(settings);
        using var runtime = new DrexRuntime(bundle);
        var random = new Random(3);
        float[] R(int n, double scale = 1) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * scale))];
        const int n = 33;
        var (f, h) = (settings.FusionDim, settings.HiddenDim);
        var (features, users, items, userBiases, itemBiases) = (R(n * f, 4), R(n * h, 2), R(n * h, 2), R(n), R(n));

        using var userCell = new InferenceSession(bundle.Graphs[DrexGraphs.UserCellFile]);
        using var itemCell = new InferenceSession(bundle.Graphs[DrexGraphs.ItemCellFile]);
        using var dotHead = new InferenceSession(bundle.Graphs[DrexGraphs.DotHeadFile]);
        using var mlpHead = new InferenceSession(bundle.Graphs[DrexGraphs.MlpHeadFile]);
        var userSteps = Run(userCell, (DrexGraphs.Names.Input, features, f), (DrexGraphs.Names.State, users, h));
        var itemSteps = Run(itemCell, (DrexGraphs.Names.Input, features, f), (DrexGraphs.Names.State, items, h));
        var dot = Run(dotHead, (DrexGraphs.Names.User, users, h), (DrexGraphs.Names.Item, items, h),
            (DrexGraphs.Names.UserBias, userBiases, 1), (DrexGraphs.Names.ItemBias, itemBiases, 1));
        var mlp = Run(mlpHead, (DrexGraphs.Names.User, users, h), (DrexGraphs.Names.Item, items, h));

        Assert.Equal(dot, runtime.PredictRaw(RatingHead.Dot, users, userBiases, items, itemBiases, n), Close);
        Assert.Equal(mlp, runtime.PredictRaw(RatingHead.Mlp, users, userBiases, items, itemBiases, n), Close);
        for (var k = 0; k < n; k++)
        {
            var (feature, user, item) = (features[(k * f)..((k + 1) * f)], users[(k * h)..((k + 1) * h)], items[(k * h)..((k + 1) * h)]);
            Assert.Equal(userSteps[(k * h)..((k + 1) * h)], runtime.StepUser(feature, user), Close);
            Assert.Equal(itemSteps[(k * h)..((k + 1) * h)], runtime.StepItem(feature, item), Close);
            var served = head == RatingHead.Dot ? dot[k] : mlp[k];
            Assert.Equal(settings.Clamp(served), runtime.Predict(user, userBiases[k], item, itemBiases[k]), 1e-5f);
        }

        // The steps are not the identity, and shared cells are one cell.
        Assert.NotEqual(users, userSteps, Close);
        Assert.Equal(sharedCells, runtime.StepUser(features[..f], users[..h]).SequenceEqual(runtime.StepItem(features[..f], users[..h])));
    }

    [Fact]
    public void StepsAndPredictions_OfTheWrongWidth_FailAlone_WithWhatWasExpected()
    {
        var settings = new ModelSettings { HiddenDim = 8, FusionDim = 8, AttentionDim = 8, TextFeatureDim = 8, RatingDim = 4, MlpHiddenDim = 8 };
        using var runtime = new DrexRuntime(Bundle(settings));

        var step = Assert.Throws<ArgumentException>(() => runtime.StepUser(new float[7], new float[8]));
        Assert.Contains("a feature of 8 and a state of 8; got 7 and 8", step.Message);
        Assert.Throws<ArgumentException>(() => runtime.StepItem(new float[8], new float[9]));
        var prediction = Assert.Throws<ArgumentException>(() => runtime.Predict(new float[8], 0f, new float[9], 0f));
        Assert.Contains("two states of 8; got 8 and 9", prediction.Message);
        Assert.Throws<ArgumentException>(() => runtime.PredictRaw(RatingHead.Dot, new float[16], [0f], new float[16], [0f, 0f], 2));

        // The runtime is unharmed.
        Assert.Equal(8, runtime.StepUser(new float[8], new float[8]).Length);
    }

    [Fact]
    public void RowGraphs_RefuseGraphsTheyCannotRun_NamingTheFileAndWhy()
    {
        var settings = new ModelSettings { HiddenDim = 8, FusionDim = 8, AttentionDim = 8, TextFeatureDim = 8, RatingDim = 4, MlpHiddenDim = 8 };
        var graphs = DrexGraphs.Build(settings, ModelWeights.Random(settings, seed: 1));

        var builder = new GraphBuilder("softmax");
        var x = builder.Input("x", TensorProto.Types.DataType.Float, "batch", 4);
        builder.Output(builder.Node("Softmax", [x], null, GraphBuilder.IntAttribute("axis", -1)), "y", "batch", 4);
        var softmax = Assert.Throws<InvalidDataException>(() => RowGraph.Compile(builder.ToModelBytes(), "softmax.onnx", ["x"], "y"));
        Assert.Contains("softmax.onnx node 'Softmax_0' is a Softmax, which a row graph does not run", softmax.Message);

        // The interaction encoder takes [batch, length, dim] tokens.
        var tokens = Assert.Throws<InvalidDataException>(() => RowGraph.Compile(
            graphs[DrexGraphs.InteractionEncoderFile], DrexGraphs.InteractionEncoderFile, [DrexGraphs.Names.Tokens], DrexGraphs.Names.Feature));
        Assert.Contains("input 'tokens' is not a float row of a fixed width", tokens.Message);

        var missing = Assert.Throws<InvalidDataException>(() => RowGraph.Compile(
            graphs[DrexGraphs.UserCellFile], DrexGraphs.UserCellFile, [DrexGraphs.Names.User], DrexGraphs.Names.NewState));
        Assert.Contains("has no input 'user'", missing.Message);

        var garbage = Assert.Throws<InvalidDataException>(() => RowGraph.Compile([1, 2, 3, 250], "broken.onnx", [], "x"));
        Assert.Contains("broken.onnx", garbage.Message);

        // A bundle whose cell is not a row graph does not load.
        var swapped = new Dictionary<string, byte[]>(graphs) { [DrexGraphs.ItemCellFile] = graphs[DrexGraphs.InteractionEncoderFile] };
        var load = Assert.Throws<InvalidDataException>(() => new DrexRuntime(Bundle(settings, swapped)));
        Assert.Contains(DrexGraphs.ItemCellFile, load.Message);
    }

    private static readonly Func<float, float, bool> Close = (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a));

    private static float[] Run(InferenceSession session, params (string Name, float[] Data, int Width)[] inputs)
    {
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, [i.Data.Length / i.Width, i.Width])).ToArray();
        try
        {
            using var outputs = session.Run(new RunOptions(), [.. inputs.Select(i => i.Name)], values, [session.OutputNames[0]]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            Array.ForEach(values, v => v.Dispose());
        }
    }

    private static ModelBundle Bundle(ModelSettings settings, IReadOnlyDictionary<string, byte[]>? graphs = null)
    {
        var random = new Random(7);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var snapshot = new ActorSnapshot { UserInitial = R(settings.HiddenDim), ItemInitial = R(settings.HiddenDim), Users = [], Items = [] };
        var vocabulary = KeywordVocabulary.Build([["great", "strings"], ["warm", "tone"]]).ToJson();
        return ModelBundle.Create(
            "v1", settings, "test-encoder", new TrainingWatermark(0, -1, 0), new ValidationMetrics(0.8, 1, 1, 10),
            graphs ?? DrexGraphs.Build(settings, ModelWeights.Random(settings, seed: 7)), snapshot, Encoding.UTF8.GetBytes(vocabulary));
    }
}
