using Drex.Trainer.Data;

namespace Drex.Trainer.Baselines;

/// <summary>Rating errors over the rated interactions of a split.</summary>
/// <param name="Count">Rated interactions scored.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Rmse">Root mean squared error.</param>
public sealed record RatingErrors(int Count, double Mae, double Mse, double Rmse);

/// <summary>Scores rating predictions the way the evaluation protocol says: clamped to the dataset's rating range.</summary>
public static class RatingMetrics
{
    /// <summary>MAE, MSE and RMSE of <paramref name="model"/> on the rated interactions among <paramref name="indices"/>.</summary>
    public static RatingErrors Evaluate(IRatingModel model, Dataset dataset, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        double absolute = 0, squared = 0;
        var count = 0;
        foreach (var n in indices)
        {
            if (dataset.Interactions[n].Rating is not { } rating)
            {
                continue;
            }

            var predicted = model.Predict(dataset.Users[n], dataset.Items[n]);
            if (dataset.RatingRange is { } range)
            {
                predicted = range.Clamp(predicted);
            }

            var error = (double)predicted - rating;
            absolute += Math.Abs(error);
            squared += error * error;
            count++;
        }

        return count == 0
            ? new RatingErrors(0, double.NaN, double.NaN, double.NaN)
            : new RatingErrors(count, absolute / count, squared / count, Math.Sqrt(squared / count));
    }
}
