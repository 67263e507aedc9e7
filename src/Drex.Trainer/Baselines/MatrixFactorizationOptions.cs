namespace Drex.Trainer.Baselines;

/// <summary>Settings of <see cref="BiasedMatrixFactorization"/>.</summary>
/// <param name="Dimensions">Latent factors per user and item.</param>
/// <param name="LearningRate">SGD step size.</param>
/// <param name="Regularizations">L2 grid (biases and factors alike), chosen on validation; null for <see cref="DefaultRegularizations"/>.</param>
/// <param name="MaxEpochs">Upper bound on epochs.</param>
/// <param name="Patience">Stop after this many epochs without a better validation MSE.</param>
/// <param name="InitStd">Standard deviation of the uniform factor initialisation.</param>
/// <param name="EpochsWithoutValidation">Epochs to train when validation has no ratings (then the middle grid value is used).</param>
public sealed record MatrixFactorizationOptions(
    int Dimensions = 32,
    float LearningRate = 0.01f,
    IReadOnlyList<float>? Regularizations = null,
    int MaxEpochs = 100,
    int Patience = 5,
    float InitStd = 0.1f,
    int EpochsWithoutValidation = 20)
{
    /// <summary>The default L2 grid.</summary>
    public static IReadOnlyList<float> DefaultRegularizations { get; } = [0.02f, 0.05f, 0.1f, 0.2f, 0.5f];
}
