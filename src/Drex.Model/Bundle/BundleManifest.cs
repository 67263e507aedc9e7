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

    /// <summary>The size and checksum the manifest gives a file; <see cref="InvalidDataException"/> if it lists none.</summary>
    public BundleFile Listed(string name) =>
        Files.TryGetValue(name, out var expected)
            ? expected
            : throw new InvalidDataException($"The model bundle's manifest does not list {name}.");

    /// <summary>Parses and checks a manifest: a clear <see cref="InvalidDataException"/> for anything a load cannot use.</summary>
    public static BundleManifest Read(byte[] manifestBytes)
    {
        BundleManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BundleManifest>(manifestBytes, Json)
                ?? throw new InvalidDataException("The model bundle's manifest is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The model bundle's manifest is not valid: {e.Message}", e);
        }

        if (manifest.Format != CurrentFormat)
        {
            throw new InvalidDataException($"Model bundle format {manifest.Format} is not supported (expected {CurrentFormat}).");
        }

        if (string.IsNullOrWhiteSpace(manifest.Version) || manifest.Files is null || manifest.Settings is null)
        {
            throw new InvalidDataException("The model bundle's manifest lacks a version, settings or file list.");
        }

        manifest.Settings.Validate();
        return manifest;
    }
}
