namespace Drex.Trainer.Training;

/// <summary>Optimisation settings of DReX training (MODEL.md step 8); every one a documented default.</summary>
internal sealed record TrainerOptions
{
    public int MaxEpochs { get; init; } = 10;

    /// <summary>Epochs without a better validation MSE before training stops (the best epoch is restored).</summary>
    public int Patience { get; init; } = 2;

    public double LearningRate { get; init; } = 2e-3;

    public double WeightDecay { get; init; } = 1e-6;

    public double GradientClip { get; init; } = 5.0;

    /// <summary>
    /// Consecutive t-batches are grouped into one optimiser step of at least this many interactions; gradients flow
    /// through states inside a step and states are detached between steps (truncated BPTT).
    /// </summary>
    public int StepInteractions { get; init; } = 128;

    /// <summary>L2 penalty on per-id parameters (biases, offsets), per occurrence in a rated interaction.</summary>
    public double PerIdL2 { get; init; } = 0.05;

    /// <summary>
    /// Start the per-id biases (and mu) from the regularised bias model fitted on the same training split, so the
    /// network spends its capacity on what the states add to the biases.
    /// </summary>
    public bool WarmStartBiases { get; init; } = true;

    /// <summary>Freeze the biases given to training (from the bias model) instead of fine-tuning them.</summary>
    public bool FreezeBiases { get; init; }

    /// <summary>
    /// Dot head: folds of the out-of-fold bias baseline the interaction term is trained against (biases frozen at
    /// the full bias fit); 0 or 1 trains against the network's own (warm-started) biases.
    /// </summary>
    public int CrossFitFolds { get; init; } = 5;

    /// <summary>Dropout on the pooled review vector while training.</summary>
    public double Dropout { get; init; } = 0.2;

    /// <summary>Learn a per-id offset to the initial state of ids seen in training (MODEL.md step 5).</summary>
    public bool PerIdOffsets { get; init; }

    /// <summary>
    /// Weight of an auxiliary training loss: a linear head reads each rated review's own rating from its text feature
    /// (squared error against r - mu), so that the feature, and through it the states, carry the review's sentiment.
    /// The feature is t_s of the sentiment attention when SentimentAttention is on, else the keyword attention's t_d
    /// (which then turns the keyword attention towards sentiment words; BENCHMARKS.md). 0: off. The head is
    /// training-only (not exported). Default 5 (chosen on validation among 0.5, 2, 5, 10 for the single attention;
    /// 1 and 5 measure alike with the sentiment attention).
    /// </summary>
    public double AuxTextLoss { get; init; } = 5;

    /// <summary>
    /// Dot head with actor readouts: after training, refit the head (sum_k d_k p_k q_k + w_u.p + w_i.q + c) by ridge
    /// regression on out-of-fold states: for each cross-fit fold, the states after replaying the other folds predict
    /// that fold's residuals from the out-of-fold biases, as final states predict held-out ratings. The ridge
    /// strength is chosen on validation (an infinite strength leaves only the shift c). Replaces the validation
    /// calibration of the dot head; needs CrossFitFolds > 1 and WarmStartBiases. Sets ModelSettings.ActorReadouts.
    /// On by default.
    /// </summary>
    public bool OutOfFoldHead { get; init; } = true;

    /// <summary>
    /// Add a second, sentiment attention (ModelSettings.SentimentAttention): its own additive attention and text
    /// projection t_s, fused next to the keyword attention's t_d; the auxiliary text loss then reads only t_s, so the
    /// keyword attention (the one keyword profiles use) is trained by the rating loss alone. On by default: with
    /// AuxTextLoss and OutOfFoldHead it is the setting that beats the bias model on Musical Instruments and keeps the
    /// keyword profiles (BENCHMARKS.md).
    /// </summary>
    public bool SentimentAttention { get; init; } = true;

    /// <summary>"cpu", "cuda" or "auto" (CUDA when available).</summary>
    public string Device { get; init; } = "auto";
}

