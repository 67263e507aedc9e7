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

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTokens, 3, nameof(MaxTokens));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTokens, 512, nameof(MaxTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(IntraOpThreads, 1, nameof(IntraOpThreads));
    }
}
