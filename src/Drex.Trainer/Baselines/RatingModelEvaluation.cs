using Drex.Model.Evaluation;
using Drex.Trainer.Data;

namespace Drex.Trainer.Baselines;

/// <summary>Scores an <see cref="IRatingModel"/> on a split with the shared <see cref="RatingMetrics"/> (clamped to the dataset's rating range).</summary>
public static class RatingModelEvaluation
{
    /// <summary>MAE, MSE and RMSE of <paramref name="model"/> on the rated interactions among <paramref name="indices"/>.</summary>
    /// <exception cref="ArgumentException">None of the indices has a rating.</exception>
    public static RatingMetricsResult Evaluate(IRatingModel model, Dataset dataset, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        var rows = new List<(string User, string Item, float Truth, float Prediction)>(indices.Count);
        foreach (var n in indices)
        {
            if (dataset.Interactions[n] is { Rating: { } rating } interaction)
            {
                rows.Add((interaction.UserId, interaction.ItemId, rating, model.Predict(dataset.Users[n], dataset.Items[n])));
            }
        }

        var range = dataset.RatingRange ?? throw new ArgumentException("The dataset has no ratings.", nameof(dataset));
        return RatingMetrics.Compute(rows, range.Min, range.Max);
    }
}
