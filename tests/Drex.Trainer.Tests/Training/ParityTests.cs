using Drex.Model.Bundle;
using Drex.Model.Runtime;
using Drex.Trainer.Training;
using static TorchSharp.torch;

namespace Drex.Trainer.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class ParityTests
{
    private static readonly TrainerOptions Options = new() { MaxEpochs = 2, Patience = 5, StepInteractions = 32, Device = "cpu" };

    [Theory]
    [InlineData(RatingHead.Dot, false, true, false, false)]
    [InlineData(RatingHead.Dot, false, false, true, false)]
    [InlineData(RatingHead.Dot, false, false, true, true)]
    [InlineData(RatingHead.Mlp, true, false, false, false)]
    [InlineData(RatingHead.Mlp, false, false, false, true)]
    public void ExportedGraphs_MatchTorchSharp_WithinTolerance(RatingHead head, bool sharedCells, bool offsets, bool readouts, bool sentiment)
    {
        var data = SyntheticData.Create(12, 9, 160, seed: 3);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var settings = new ModelSettings
        {
            Head = head, SharedCells = sharedCells, ActorReadouts = readouts, SentimentAttention = sentiment, GlobalMean = 3f,
            HiddenDim = 16, FusionDim = 24,
        };
        using var trained = new DrexTrainer(Options with { PerIdOffsets = offsets, AuxTextLoss = readouts || sentiment ? 1 : 0 })
            .Train(data, all[..120], all[120..], settings, seed: 1);
        if (readouts)
        {
            // As the out-of-fold ridge head sets them: arbitrary values, not the identity the training starts from.
            var random = new Random(7);
            float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            trained.Net.SetReadouts(Draw(16), Draw(16), Draw(16), 0.2f);
        }

        using var runtime = new DrexRuntime(Bundle(trained, data, SnapshotPoint.End));
        var net = trained.Net;

        var batch = all[..10];
        var inputs = batch.Select(x => Input(data, x)).ToArray();
        var onnx = runtime.Encode(inputs);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (x, k) in batch.Select((x, k) => (x, k)))
        {
            var (feature, alpha) = EncodeOne(net, data, x);
            AssertClose(feature, onnx[k].Feature, 1e-5);
            AssertClose(alpha, onnx[k].Attention, 1e-5);

            var p = trained.Users.State(data.Users[x]);
            var q = trained.Items.State(data.Items[x]);
            var f = tensor(feature, [1, feature.Length]);
            AssertClose(Row(net.StepUsers(f, tensor(p, [1, p.Length]))), runtime.StepUser(onnx[k].Feature, p), 1e-5);
            AssertClose(Row(net.StepItems(f, tensor(q, [1, q.Length]))), runtime.StepItem(onnx[k].Feature, q), 1e-5);
        }

        var torchPredictions = trained.Predict(batch);
        var onnxPredictions = batch.Select(x => runtime.Predict(
            trained.Users.State(data.Users[x]), trained.Users.Bias(data.Users[x]),
            trained.Items.State(data.Items[x]), trained.Items.Bias(data.Items[x]))).ToArray();
        AssertClose(torchPredictions, onnxPredictions, 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReplayThroughBundle_FromStartSnapshot_ReproducesTrainerFinalStates(bool sentiment)
    {
        var data = SyntheticData.Create(15, 11, 220, seed: 5);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var settings = new ModelSettings { GlobalMean = 3f, HiddenDim = 16, FusionDim = 24, SentimentAttention = sentiment };
        using var trained = new DrexTrainer(Options with { AuxTextLoss = sentiment ? 1 : 0 })
            .Train(data, all[..180], all[180..], settings, seed: 2);
        using var runtime = new DrexRuntime(Bundle(trained, data, SnapshotPoint.Start));

        var replayer = new Replayer(runtime);
        foreach (var x in all[..180])
        {
            replayer.Apply(SyntheticData.UserId(data.Users[x]), SyntheticData.ItemId(data.Items[x]), Input(data, x));
        }

        for (var u = 0; u < data.UserCount; u++)
        {
            AssertClose(trained.Users.State(u), replayer.UserState(SyntheticData.UserId(u)), 1e-4);
        }

        for (var i = 0; i < data.ItemCount; i++)
        {
            AssertClose(trained.Items.State(i), replayer.ItemState(SyntheticData.ItemId(i)), 1e-4);
        }

        var test = all[180..];
        AssertClose(trained.Predict(test),
            test.Select(x => replayer.Predict(SyntheticData.UserId(data.Users[x]), SyntheticData.ItemId(data.Items[x]))).ToArray(), 1e-4);
    }

    [Fact]
    public void EndSnapshot_CountsEachActorsTrainingInteractions_AndTheRatedOnes()
    {
        var data = SyntheticData.Create(10, 8, 150, seed: 4);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var train = all[..110];
        using var trained = new DrexTrainer(Options with { MaxEpochs = 1 })
            .Train(data, train, all[110..], new ModelSettings { GlobalMean = 3f, HiddenDim = 8, FusionDim = 8 }, seed: 3);

        var snapshot = Bundle(trained, data, SnapshotPoint.End).Snapshot;

        Assert.Contains(train, x => !data.HasRating(x)); // review-only interactions: rated counts differ from counts
        foreach (var (actors, side, id) in new[] { (snapshot.Users, data.Users, (Func<int, string>)SyntheticData.UserId), (snapshot.Items, data.Items, SyntheticData.ItemId) })
        {
            foreach (var group in train.GroupBy(x => side[x]))
            {
                var record = actors.Get(id(group.Key))!;
                Assert.Equal((group.Count(), group.Count(data.HasRating)), (record.Count, record.Ratings));
            }
        }
    }

    internal static ModelBundle Bundle(TrainedDrex trained, TrainingData data, SnapshotPoint point) =>
        ModelBundle.Create(
            "test-1", trained.Settings, "test-encoder", new TrainingWatermark(data.Count, -1, 0), null,
            trained.Graphs(),
            trained.Snapshot(point,
                Enumerable.Range(0, data.UserCount).Select(SyntheticData.UserId).ToArray(),
                Enumerable.Range(0, data.ItemCount).Select(SyntheticData.ItemId).ToArray(),
                (_, _) => []),
            "{}"u8.ToArray());

    internal static InteractionInput Input(TrainingData data, int x) =>
        new(data.Reviews[x]?.Vectors ?? [], data.ReviewLength(x), data.HasRating(x) ? data.Ratings[x] : null);

    private static (float[] Feature, float[] Alpha) EncodeOne(DrexNet net, TrainingData data, int x)
    {
        var s = net.Settings;
        var length = Math.Max(1, data.ReviewLength(x));
        var tokens = new float[length * s.TextDim];
        var mask = new float[length];
        data.Reviews[x]?.Vectors.CopyTo(tokens, 0);
        mask.AsSpan(0, data.ReviewLength(x)).Fill(1f);
        var hasRating = data.HasRating(x) ? 1f : 0f;
        var (feature, alpha) = net.Encode(
            tensor(tokens, [1, length, s.TextDim]), tensor(mask, [1, length]),
            tensor(new[] { data.HasRating(x) ? s.RatingLevel(data.Ratings[x]) : 0L }),
            tensor(new[] { hasRating }, [1, 1]), tensor(new[] { data.ReviewLength(x) > 0 ? 1f : 0f }, [1, 1]));
        return (Row(feature), Row(alpha)[..data.ReviewLength(x)]);
    }

    private static float[] Row(Tensor t) => t.detach().cpu().data<float>().ToArray();

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max();
        Assert.True(worst <= tolerance, $"max abs difference {worst} > {tolerance}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "TorchSharp";
}
