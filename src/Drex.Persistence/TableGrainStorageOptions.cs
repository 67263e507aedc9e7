namespace Drex.Persistence;

/// <summary>Settings of <see cref="GroupCommitTableGrainStorage"/>.</summary>
public sealed class TableGrainStorageOptions
{
    /// <summary>The partitions of a new table when <see cref="Partitions"/> is not set.</summary>
    public const int DefaultPartitions = 2;

    /// <summary>The most partitions a table may be spread over.</summary>
    public const int MaxPartitions = 1024;

    /// <summary>The table that holds the grain states.</summary>
    public string TableName { get; set; } = "drexactors";

    /// <summary>
    /// Table partitions the grains are spread over (a stable hash of the grain's key). Writes to one partition that
    /// wait together go out as one entity group transaction, so fewer partitions batch more; each Azure Table
    /// partition serves up to ~2,000 entities/s, so more partitions scale further. Fixed for the life of the table
    /// (the count is recorded in it): unset, the storage takes the recorded count, or <see cref="DefaultPartitions"/>
    /// for a new table; set, it refuses to start against a table written with another count.
    /// </summary>
    public int? Partitions { get; set; }

    /// <summary>Serialised state bytes at most in one transaction (the service's limit is 4 MiB per request).</summary>
    public int MaxBatchBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the invalid setting.</summary>
    public TableGrainStorageOptions Validate()
    {
        if (TableName is not { Length: >= 3 and <= 63 } || !char.IsAsciiLetter(TableName[0]) || !TableName.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"TableName '{TableName}' is not a valid table name (3-63 letters and digits, starting with a letter).");
        }

        if (Partitions is < 1 or > MaxPartitions)
        {
            throw new ArgumentException($"Partitions must be between 1 and {MaxPartitions}; it is {Partitions}.");
        }

        if (MaxBatchBytes is < GroupCommitTableGrainStorage.MaxStateBytes or > 4 * 1024 * 1024 - 64 * 1024)
        {
            throw new ArgumentException(
                $"MaxBatchBytes must be between {GroupCommitTableGrainStorage.MaxStateBytes} (one largest state) and {4 * 1024 * 1024 - 64 * 1024}; it is {MaxBatchBytes}.");
        }

        return this;
    }
}
