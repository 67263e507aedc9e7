namespace Drex.Trainer.Training;

/// <summary>Optimisation settings of DReX training (MODEL.md step 8); every one a documented default.</summary>
internal sealed record TrainerOptions
{
    public int MaxEpochs { get; init; } = 30;

    /// <summary>Epochs without a better validation MSE before training stops (the best epoch is restored).</summary>
    public int Patience { get; init; } = 3;

    public double LearningRate { get; init; } = 2e-3;

    public double WeightDecay { get; init; } = 1e-6;

    public double GradientClip { get; init; } = 5.0;

    /// <summary>
    /// Consecutive t-batches are grouped into one optimiser step of at least this many interactions; gradients flow
    /// through states inside a step and states are detached between steps (truncated BPTT).
    /// </summary>
    public int StepInteractions { get; init; } = 128;

    /// <summary>Learn a per-id offset to the initial state of ids seen in training (MODEL.md step 5).</summary>
    public bool PerIdOffsets { get; init; } = true;

    /// <summary>"cpu", "cuda" or "auto" (CUDA when available).</summary>
    public string Device { get; init; } = "auto";
}
