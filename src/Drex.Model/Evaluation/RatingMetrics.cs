namespace Drex.Model.Evaluation;

/// <summary>Rating errors over a test set; predictions were clamped to the rating range first.</summary>
/// <param name="Count">Rows scored.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Rmse">Square root of <paramref name="Mse"/>.</param>
public sealed record RatingMetricsResult(int Count, double Mae, double Mse, double Rmse);

/// <summary>MAE, MSE and RMSE of predicted ratings.</summary>
public static class RatingMetrics
{
    /// <summary>Scores <paramref name="rows"/>, each prediction clamped to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="ArgumentException">No rows, or a truth or prediction that is not a finite number.</exception>
    public static RatingMetricsResult Compute(
        IReadOnlyList<(string User, string Item, float Truth, float Prediction)> rows, float min, float max)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(min, max);
        if (rows.Count == 0)
        {
            throw new ArgumentException("No rows to score.", nameof(rows));
        }

        double absolute = 0, squared = 0;
        foreach (var row in rows)
        {
            if (!float.IsFinite(row.Truth) || !float.IsFinite(row.Prediction))
            {
                throw new ArgumentException($"Row ({row.User}, {row.Item}) has a non-finite truth or prediction.", nameof(rows));
            }

            var error = (double)Math.Clamp(row.Prediction, min, max) - row.Truth;
            absolute += Math.Abs(error);
            squared += error * error;
        }

        var mse = squared / rows.Count;
        return new RatingMetricsResult(rows.Count, absolute / rows.Count, mse, Math.Sqrt(mse));
    }
}
