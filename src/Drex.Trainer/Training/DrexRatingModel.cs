using Drex.Model.Bundle;
using Drex.Trainer.Baselines;
using Drex.Trainer.Data;

namespace Drex.Trainer.Training;

/// <summary>
/// DReX (dot head) or DReX-MLP in the common evaluation harness: trains on the split's training interactions
/// (reviews from the shared <see cref="ReviewLibrary"/>) and predicts from the final replayed states.
/// </summary>
internal sealed class DrexRatingModel(RatingHead head, ReviewLibrary reviews, TrainerOptions options, ModelSettings? shape = null,
    IProgress<EpochReport>? progress = null) : IRatingModel, IDisposable
{
    private TrainedDrex? _trained;
    private TrainingData? _data;

    public string Name => head == RatingHead.Dot ? "drex" : "drex-mlp";

    public TrainedDrex Trained => _trained ?? throw new InvalidOperationException("The model is not fitted.");

    public TrainingData Data => _data ?? throw new InvalidOperationException("The model is not fitted.");

    public void Fit(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation, int seed)
    {
        var range = dataset.RatingRange ?? throw new InvalidOperationException("The dataset has no ratings.");
        _data = reviews.ToTrainingData(dataset);
        var bias = new BiasModel();
        bias.Fit(dataset, train, validation, seed);
        var settings = (shape ?? new ModelSettings()) with
        {
            Head = head,
            RatingMin = range.Min,
            RatingMax = range.Max,
            GlobalMean = bias.GlobalMean,
        };
        (float[], float[])? biases = options.WarmStartBiases
            ? (Enumerable.Range(0, dataset.UserCount).Select(bias.UserBias).ToArray(),
               Enumerable.Range(0, dataset.ItemCount).Select(bias.ItemBias).ToArray())
            : null;
        var baseline = head == RatingHead.Dot && options.CrossFitFolds > 1 && options.WarmStartBiases
            ? CrossFitBaseline(dataset, train, validation, seed, bias.Lambda, options.CrossFitFolds)
            : null;
        _trained?.Dispose();
        _trained = new DrexTrainer(options).Train(_data, train, validation, settings, seed, progress, biases, trainBaseline: baseline);
    }

    /// <summary>
    /// Out-of-fold bias predictions (mu + b_u + b_i) for the training interactions: the bias model is refitted
    /// without each fold (same lambda) and predicts that fold. Training the interaction term against these
    /// baselines means its target is the residual a bias model leaves on ratings it has not seen, as at test time,
    /// instead of the shrunk residual of ratings the warm-started biases were fitted on.
    /// </summary>
    internal static float[] CrossFitBaseline(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation,
        int seed, float lambda, int folds)
    {
        var baseline = new float[dataset.Count];
        var random = new Random(seed * 7919 + 17);
        var fold = train.Select(_ => random.Next(folds)).ToArray();
        for (var k = 0; k < folds; k++)
        {
            var fit = new BiasModel([lambda]);
            fit.Fit(dataset, train.Where((_, j) => fold[j] != k).ToArray(), validation, seed);
            for (var j = 0; j < train.Count; j++)
            {
                if (fold[j] == k)
                {
                    var x = train[j];
                    baseline[x] = fit.GlobalMean + fit.UserBias(dataset.Users[x]) + fit.ItemBias(dataset.Items[x]);
                }
            }
        }

        return baseline;
    }

    public float Predict(int user, int item) => Trained.PredictPair(user, item);

    public void Dispose() => _trained?.Dispose();
}
