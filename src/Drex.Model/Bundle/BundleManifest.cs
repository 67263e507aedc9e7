using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drex.Model.Bundle;

/// <summary>How far into the interaction stream a bundle was trained.</summary>
/// <param name="Interactions">How many interactions the trainer read.</param>
/// <param name="LastSequence">The interaction log's sequence number of the last one read (-1 for a dataset).</param>
/// <param name="LastTimestamp">Unix seconds of the newest interaction read.</param>
public sealed record TrainingWatermark(long Interactions, long LastSequence, long LastTimestamp);

/// <summary>Rating metrics on a validation set.</summary>
public sealed record ValidationMetrics(double Mae, double Rmse, double Mse, int Count);

/// <summary>A file of a bundle with its checksum.</summary>
public sealed record BundleFile(string Sha256, long Bytes);

/// <summary>What a model bundle holds: its identity, shape, provenance and the checksum of every file.</summary>
public sealed record BundleManifest
{
    public const int CurrentFormat = 1;
    public const string FileName = "manifest.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int Format { get; init; } = CurrentFormat;

    public required string Version { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ModelSettings Settings { get; init; }

    /// <summary>The review encoder's identity; a silo refuses a bundle trained with another encoder.</summary>
    public required string Encoder { get; init; }

    public required TrainingWatermark Watermark { get; init; }

    public ValidationMetrics? Validation { get; init; }

    public required IReadOnlyDictionary<string, BundleFile> Files { get; init; }
}
