namespace Drex.Model.Text;

/// <summary>Settings of the <see cref="ReviewEncoder"/>.</summary>
public sealed record ReviewEncoderOptions
{
    /// <summary>Most tokens one text may have, [CLS] and [SEP] included; longer texts are truncated.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Texts per model run. Texts are sorted by length first, so a batch pads little.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>ONNX Runtime intra-op threads.</summary>
    public int IntraOpThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// How a silo runs the encoder: one ONNX Runtime thread per batch, with <see cref="ServingWorkers"/> batches
    /// encoded at once on one shared session (parallelism across batches rather than inside one: no thread hand-offs
    /// between operators, which cost more than they save on the small batches of live traffic). The ingest
    /// benchmark's encoder ceiling is measured with the same settings.
    /// </summary>
    public static ReviewEncoderOptions Serving => new() { IntraOpThreads = 1 };

    /// <summary>Batches a silo encodes at once: one per core.</summary>
    public static int ServingWorkers => Environment.ProcessorCount;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTokens, 3, nameof(MaxTokens));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTokens, 512, nameof(MaxTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(IntraOpThreads, 1, nameof(IntraOpThreads));
    }
}
