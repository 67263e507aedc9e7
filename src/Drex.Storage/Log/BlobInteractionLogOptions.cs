namespace Drex.Storage.Log;

/// <summary>How <see cref="BlobInteractionLogStore"/> cuts the log into append-blob segments.</summary>
public sealed record BlobInteractionLogOptions
{
    /// <summary>The container the log lives in unless configured otherwise.</summary>
    public const string DefaultContainer = "drex-log";

    /// <summary>The most blocks an append blob may hold (an Azure Storage limit).</summary>
    public const int AppendBlobBlockLimit = 50_000;

    /// <summary>The largest block Azure Storage accepts in one append (4 MiB).</summary>
    public const int AppendBlockLimit = 4 * 1024 * 1024;

    /// <summary>Blocks after which a new segment starts: one per append, more for a batch over <see cref="MaxBlockBytes"/>.</summary>
    public int MaxBlocksPerSegment { get; init; } = 10_000;

    /// <summary>Bytes after which a new segment starts (a segment is never cut inside an append).</summary>
    public long MaxSegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The largest block one append writes; bigger batches are split on record boundaries.</summary>
    public int MaxBlockBytes { get; init; } = AppendBlockLimit;

    /// <summary>Throws when a limit is outside what Azure Storage allows.</summary>
    public void Validate()
    {
        if (MaxBlocksPerSegment is < 1 or > AppendBlobBlockLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlocksPerSegment), MaxBlocksPerSegment, $"Must be 1 to {AppendBlobBlockLimit}.");
        }

        if (MaxBlockBytes is < 1 or > AppendBlockLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlockBytes), MaxBlockBytes, $"Must be 1 to {AppendBlockLimit}.");
        }

        if (MaxSegmentBytes < MaxBlockBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSegmentBytes), MaxSegmentBytes, "Must be at least MaxBlockBytes.");
        }
    }
}
