using Drex.Trainer.Data;

namespace Drex.Trainer.Baselines;

/// <summary>
/// A rating predictor evaluated in the common harness. <see cref="Fit"/> learns from the rated interactions among
/// the training indices (rating-null rows are ignored) and may use the validation indices to choose settings and
/// epochs. Predictions are clamped to the dataset's rating range; a user or item that is unknown (index -1, out of
/// range) or unseen in training falls back to the terms that do not need it.
/// </summary>
public interface IRatingModel
{
    /// <summary>A short name for reports.</summary>
    string Name { get; }

    /// <summary>Fits the model; deterministic for a given dataset, split and seed.</summary>
    /// <exception cref="InvalidOperationException">The training indices hold no rating.</exception>
    void Fit(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation, int seed);

    /// <summary>The predicted rating of <paramref name="user"/> for <paramref name="item"/> (dataset indices).</summary>
    float Predict(int user, int item);
}
