using Drex.Trainer.Data;

namespace Drex.Trainer.Baselines;

/// <summary>Predicts the mean training rating for every pair.</summary>
public sealed class GlobalMean : IRatingModel
{
    private float? _mean;

    /// <inheritdoc />
    public string Name => "global-mean";

    /// <summary>The fitted mean.</summary>
    public float Mean => _mean ?? throw new InvalidOperationException("The model is not fitted.");

    /// <inheritdoc />
    public void Fit(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(train);
        _mean = (float)RatingTriples.From(dataset, train).Mean();
    }

    /// <inheritdoc />
    public float Predict(int user, int item) => Mean;
}
