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
        _trained?.Dispose();
        _trained = new DrexTrainer(options).Train(_data, train, validation, settings, seed, progress, biases);
    }

    public float Predict(int user, int item) => Trained.PredictPair(user, item);

    public void Dispose() => _trained?.Dispose();
}
