using Drex.Storage.Bundles;
using Drex.Storage.Log;

namespace Drex.Storage;

/// <summary>Where Drex keeps model bundles and the interaction log.</summary>
public enum StorageKind
{
    /// <summary>Azure Storage (or Azurite): blob containers for bundles and the log; tables for grain state.</summary>
    Azure,

    /// <summary>A local folder: bundle folders and one log file (a one-silo laptop run).</summary>
    Folder,

    /// <summary>Process memory: nothing survives the process (tests, benchmarks).</summary>
    Memory,
}

/// <summary>The configuration section <c>Drex:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section the options bind to.</summary>
    public const string SectionName = "Drex:Storage";

    /// <summary>The storage kind; required.</summary>
    public StorageKind? Kind { get; set; }

    /// <summary>For <see cref="StorageKind.Azure"/>: a storage connection string ("UseDevelopmentStorage=true" for a default Azurite).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>For <see cref="StorageKind.Folder"/>: the root folder (relative paths are taken from the working directory).</summary>
    public string? Path { get; set; }

    /// <summary>The blob container of model bundles.</summary>
    public string BundleContainer { get; set; } = BlobBundleStore.DefaultContainer;

    /// <summary>
    /// For <see cref="StorageKind.Azure"/>: a local folder where bundles are downloaded and then read in place
    /// (<see cref="LocalBundleCache"/>). Processes of one host that share it download a version once between them
    /// (one downloads while the others wait) and share its snapshot in memory. Unset: each process downloads every
    /// bundle into memory of its own.
    /// </summary>
    public string? BundleCachePath { get; set; }

    /// <summary>How many versions the bundle cache keeps (the newest).</summary>
    public int BundleCacheKeep { get; set; } = LocalBundleCache.DefaultKeep;

    /// <summary>The blob container of the interaction log.</summary>
    public string LogContainer { get; set; } = BlobInteractionLogOptions.DefaultContainer;

    /// <summary>For <see cref="StorageKind.Azure"/>: the table of user and item actor states.</summary>
    public string ActorTable { get; set; } = "drexactors";

    /// <summary>
    /// For <see cref="StorageKind.Azure"/>: the table partitions actor states are spread over; writes to one partition
    /// are group-committed as entity group transactions. Fixed once the table holds states: unset, the count the table
    /// was written with (2 for a new table); set, it must equal that count.
    /// </summary>
    public int? ActorPartitions { get; set; }

    /// <summary>Append blocks after which the blob log starts a new segment.</summary>
    public int LogSegmentMaxBlocks { get; set; } = new BlobInteractionLogOptions().MaxBlocksPerSegment;

    /// <summary>Bytes after which the blob log starts a new segment.</summary>
    public long LogSegmentMaxBytes { get; set; } = new BlobInteractionLogOptions().MaxSegmentBytes;

    /// <summary>For <see cref="StorageKind.Folder"/>: the folder of model bundles.</summary>
    public string BundleFolder => System.IO.Path.Combine(RequiredPath, "models");

    /// <summary>For <see cref="StorageKind.Folder"/>: the interaction log file.</summary>
    public string LogFile => System.IO.Path.Combine(RequiredPath, "log", "interactions" + Drex.Model.Data.InteractionLog.FileExtension);

    private string RequiredPath => Path ?? throw new InvalidOperationException($"{SectionName}:Path is not set.");

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the missing or invalid setting.</summary>
    public StorageOptions Validate()
    {
        switch (Kind)
        {
            case null:
                throw new InvalidOperationException(
                    $"Configuration {SectionName}:Kind is not set: use Azure (with ConnectionString), Folder (with Path) or Memory.");
            case StorageKind.Azure when string.IsNullOrWhiteSpace(ConnectionString):
                throw new InvalidOperationException(
                    $"Configuration {SectionName}:ConnectionString is required when Kind is Azure (\"UseDevelopmentStorage=true\" for a local Azurite).");
            case StorageKind.Azure:
                ValidateContainer(nameof(BundleContainer), BundleContainer);
                ValidateContainer(nameof(LogContainer), LogContainer);
                if (BundleCacheKeep < 1)
                {
                    throw new InvalidOperationException($"Configuration {SectionName}:{nameof(BundleCacheKeep)} must be at least 1 (it is {BundleCacheKeep}).");
                }

                _ = LogOptions;
                break;
            case StorageKind.Folder when string.IsNullOrWhiteSpace(Path):
                throw new InvalidOperationException($"Configuration {SectionName}:Path is required when Kind is Folder.");
        }

        return this;
    }

    /// <summary>The blob log's segment limits.</summary>
    public BlobInteractionLogOptions LogOptions
    {
        get
        {
            var options = new BlobInteractionLogOptions { MaxBlocksPerSegment = LogSegmentMaxBlocks, MaxSegmentBytes = LogSegmentMaxBytes };
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new InvalidOperationException($"Configuration {SectionName}: {e.Message}", e);
            }

            return options;
        }
    }

    private static void ValidateContainer(string setting, string name)
    {
        if (name is not { Length: >= 3 and <= 63 } || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Configuration {SectionName}:{setting} '{name}' is not a valid container name (3-63 lowercase letters, digits and single hyphens).");
        }
    }
}
