using Drex.Model.Data;
using Drex.Trainer.Baselines;
using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Baselines;

public sealed class BaselineTests
{
    [Fact]
    public void GlobalMean_Fit_PredictsMeanOfRatedTrainingRowsOnly()
    {
        var dataset = Dataset.Build(
        [
            new Interaction("u1", "i1", 1f, null, 1),
            new Interaction("u1", "i2", null, "review only", 2),
            new Interaction("u2", "i1", 4f, null, 3),
            new Interaction("u2", "i2", 5f, null, 4),
        ]);
        var model = new GlobalMean();

        model.Fit(dataset, [0, 1, 2], [3], seed: 1);

        Assert.Equal(2.5f, model.Predict(0, 0));
        Assert.Equal(2.5f, model.Predict(-1, 99));
    }

    [Fact]
    public void Fit_NoRatedTrainingRows_Throws()
    {
        var dataset = Dataset.Build([new Interaction("u", "i", null, "text", 1), new Interaction("u", "j", 3f, null, 2)]);

        Assert.Throws<InvalidOperationException>(() => new BiasModel().Fit(dataset, [0], [1], 1));
        Assert.Throws<InvalidOperationException>(() => new GlobalMean().Fit(dataset, [0], [1], 1));
        Assert.Throws<InvalidOperationException>(() => new BiasedMatrixFactorization().Fit(dataset, [0], [1], 1));
    }

    [Fact]
    public void Predict_BeforeFit_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new BiasModel().Predict(0, 0));
        Assert.Throws<InvalidOperationException>(() => new BiasedMatrixFactorization().Predict(0, 0));
    }

    [Fact]
    public void BiasModel_PlantedBiases_RecoversThemWithin005()
    {
        var data = new SyntheticRatings(users: 150, items: 100, density: 0.5, rank: 0, factorScale: 0, noise: 0.05f, seed: 1);
        var split = DatasetSplit.Random(data.Dataset, seed: 1);
        var model = new BiasModel();

        model.Fit(data.Dataset, split.Train, split.Validation, seed: 1);

        var dataset = data.Dataset;
        var userError = Enumerable.Range(0, dataset.UserCount)
            .Max(u => Math.Abs(model.UserBias(u) - data.UserBias[int.Parse(dataset.UserIds[u][1..])]));
        var itemError = Enumerable.Range(0, dataset.ItemCount)
            .Max(i => Math.Abs(model.ItemBias(i) - data.ItemBias[int.Parse(dataset.ItemIds[i][1..])]));
        Assert.InRange(userError, 0, 0.05);
        Assert.InRange(itemError, 0, 0.05);
        Assert.InRange(model.GlobalMean, SyntheticRatings.Mu - 0.05f, SyntheticRatings.Mu + 0.05f);
        Assert.Equal(BiasModel.DefaultLambdas.Count, model.Trials.Count);
        Assert.Equal(model.Trials.MinBy(t => t.ValidationMse)!.Regularization, model.Lambda);
    }

    [Fact]
    public void BiasModel_UnknownUser_FallsBackToMeanPlusItemBias()
    {
        var data = new SyntheticRatings(users: 20, items: 10, density: 1, rank: 0, factorScale: 0, noise: 0.05f, seed: 2);
        var split = DatasetSplit.Random(data.Dataset, seed: 2);
        var model = new BiasModel();
        model.Fit(data.Dataset, split.Train, split.Validation, seed: 2);

        var expected = Math.Clamp(model.GlobalMean + model.ItemBias(3), data.Dataset.RatingRange!.Value.Min, data.Dataset.RatingRange!.Value.Max);

        Assert.Equal(expected, model.Predict(-1, 3));
        Assert.Equal(expected, model.Predict(data.Dataset.UserCount, 3));
        Assert.Equal(0f, model.UserBias(-1));
    }

    [Fact]
    public void BiasedMatrixFactorization_LowRankData_BeatsBiasModelOnTest()
    {
        var data = new SyntheticRatings(users: 200, items: 150, density: 0.3, rank: 3, factorScale: 0.9f, noise: 0.1f, seed: 3);
        var split = DatasetSplit.Random(data.Dataset, seed: 3);
        var bias = new BiasModel();
        var mf = new BiasedMatrixFactorization(new MatrixFactorizationOptions(Dimensions: 8, LearningRate: 0.02f));

        bias.Fit(data.Dataset, split.Train, split.Validation, seed: 3);
        mf.Fit(data.Dataset, split.Train, split.Validation, seed: 3);

        var biasMse = RatingModelEvaluation.Evaluate(bias, data.Dataset, split.Test).Mse;
        var mfMse = RatingModelEvaluation.Evaluate(mf, data.Dataset, split.Test).Mse;
        Assert.True(mfMse < 0.6 * biasMse, $"MF test MSE {mfMse:F4} should be well below the bias model's {biasMse:F4}");
        Assert.Equal(mf.Trials.MinBy(t => t.ValidationMse)!.Regularization, mf.Regularization);
    }

    [Fact]
    public void BiasedMatrixFactorization_SameSeed_SamePredictions()
    {
        var data = new SyntheticRatings(users: 40, items: 30, density: 0.5, rank: 2, factorScale: 0.8f, noise: 0.1f, seed: 4);
        var split = DatasetSplit.Random(data.Dataset, seed: 4);
        var options = new MatrixFactorizationOptions(Dimensions: 4, Regularizations: [0.05f]);
        var a = new BiasedMatrixFactorization(options);
        var b = new BiasedMatrixFactorization(options);
        var c = new BiasedMatrixFactorization(options);

        a.Fit(data.Dataset, split.Train, split.Validation, seed: 9);
        b.Fit(data.Dataset, split.Train, split.Validation, seed: 9);
        c.Fit(data.Dataset, split.Train, split.Validation, seed: 10);

        var pairs = split.Test.Select(n => (data.Dataset.UserIndices[n], data.Dataset.ItemIndices[n])).ToList();
        Assert.Equal(pairs.Select(p => a.Predict(p.Item1, p.Item2)), pairs.Select(p => b.Predict(p.Item1, p.Item2)));
        Assert.NotEqual(pairs.Select(p => a.Predict(p.Item1, p.Item2)), pairs.Select(p => c.Predict(p.Item1, p.Item2)));
        Assert.Equal(a.Epochs, b.Epochs);
    }

    [Fact]
    public void BiasedMatrixFactorization_UserUnseenInTraining_PredictsMeanPlusItemBias()
    {
        var interactions = new List<Interaction>();
        for (var u = 0; u < 10; u++)
        {
            for (var i = 0; i < 5; i++)
            {
                interactions.Add(new Interaction($"u{u}", $"i{i}", 1 + ((u + i) % 5), null, interactions.Count));
            }
        }

        interactions.Add(new Interaction("new", "i0", 5f, null, interactions.Count));
        var dataset = Dataset.Build(interactions);
        var train = Enumerable.Range(0, 50).ToList();
        var model = new BiasedMatrixFactorization(new MatrixFactorizationOptions(Dimensions: 4, Regularizations: [0.05f]));
        var bias = new BiasModel(lambdas: [0f]);
        model.Fit(dataset, train, [], seed: 1);
        bias.Fit(dataset, train, [], seed: 1);

        var newUser = dataset.UserIndex("new");
        var ranking = Enumerable.Range(0, 5).Select(i => model.Predict(newUser, i)).ToList();

        Assert.Equal(ranking, Enumerable.Range(0, 5).Select(i => model.Predict(-1, i)));
        Assert.Equal(20, model.Epochs);
        Assert.True(double.IsNaN(model.Trials.Single().ValidationMse));
        Assert.Equal(bias.GlobalMean, model.Predict(newUser, -1));
    }

    [Fact]
    public void Evaluate_Predictions_ScoresRatedRowsClampedToRange()
    {
        var dataset = Dataset.Build(
        [
            new Interaction("u", "a", 1f, null, 1),
            new Interaction("u", "b", 5f, null, 2),
            new Interaction("u", "c", null, "unrated", 3),
            new Interaction("u", "d", 3f, null, 4),
        ]);

        var errors = RatingModelEvaluation.Evaluate(new Constant(7f), dataset, [0, 1, 2, 3]);

        Assert.Equal(3, errors.Count);
        Assert.Equal(2.0, errors.Mae, 12);
        Assert.Equal(20.0 / 3, errors.Mse, 12);
        Assert.Equal(Math.Sqrt(20.0 / 3), errors.Rmse, 12);
    }

    [Fact]
    public void Evaluate_NoRatedRows_Throws()
    {
        var dataset = Dataset.Build([new Interaction("u", "a", 2f, null, 1), new Interaction("u", "b", null, "text", 2)]);

        Assert.Throws<ArgumentException>(() => RatingModelEvaluation.Evaluate(new Constant(3f), dataset, [1]));
    }

    private sealed class Constant(float value) : IRatingModel
    {
        public string Name => "constant";

        public void Fit(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation, int seed)
        {
        }

        public float Predict(int user, int item) => value;
    }
}
