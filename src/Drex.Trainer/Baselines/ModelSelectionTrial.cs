namespace Drex.Trainer.Baselines;

/// <summary>One setting tried during model selection, with its validation error (NaN without validation ratings).</summary>
/// <param name="Regularization">The L2 strength tried.</param>
/// <param name="Epochs">Sweeps or epochs kept (the best epoch when early stopping).</param>
/// <param name="ValidationMse">Validation MSE of clamped predictions.</param>
public sealed record ModelSelectionTrial(float Regularization, int Epochs, double ValidationMse);
