using System.Security.Cryptography;
using System.Text.Json;
using Drex.Model.Onnx;

namespace Drex.Model.Bundle;

/// <summary>
/// A versioned DReX model as data: manifest, ONNX graphs, keyword vocabulary and actor snapshot. Loading verifies
/// every checksum and dimension, so a corrupt, truncated or mismatched bundle is refused with a clear error.
/// </summary>
public sealed class ModelBundle
{
    public const string SnapshotFile = "actors.bin";
    public const string KeywordsFile = "keywords.json";

    public static readonly IReadOnlyList<string> GraphFiles =
    [
        DrexGraphs.InteractionEncoderFile, DrexGraphs.UserCellFile, DrexGraphs.ItemCellFile,
        DrexGraphs.DotHeadFile, DrexGraphs.MlpHeadFile,
    ];

    public required BundleManifest Manifest { get; init; }

    public required IReadOnlyDictionary<string, byte[]> Graphs { get; init; }

    public required ActorSnapshot Snapshot { get; init; }

    /// <summary>The keyword vocabulary (document frequencies) as JSON.</summary>
    public required byte[] Keywords { get; init; }

    public ModelSettings Settings => Manifest.Settings;

    public string Version => Manifest.Version;

    /// <summary>Assembles a bundle, filling in the manifest's checksums.</summary>
    public static ModelBundle Create(
        string version, ModelSettings settings, string encoder, TrainingWatermark watermark,
        ValidationMetrics? validation, IReadOnlyDictionary<string, byte[]> graphs, ActorSnapshot snapshot, byte[] keywords)
    {
        settings.Validate();
        var files = new Dictionary<string, BundleFile>(StringComparer.Ordinal);
        foreach (var name in GraphFiles)
        {
            files[name] = Describe(graphs.TryGetValue(name, out var g) ? g : throw new ArgumentException($"Graph {name} is missing."));
        }

        files[SnapshotFile] = Describe(SerializeSnapshot(snapshot));
        files[KeywordsFile] = Describe(keywords);
        return new ModelBundle
        {
            Manifest = new BundleManifest
            {
                Version = version,
                CreatedAt = DateTimeOffset.UtcNow,
                Settings = settings,
                Encoder = encoder,
                Watermark = watermark,
                Validation = validation,
                Files = files,
            },
            Graphs = graphs,
            Snapshot = snapshot,
            Keywords = keywords,
        };
    }

    /// <summary>Every file of the bundle by name, the manifest included.</summary>
    public IEnumerable<(string Name, byte[] Content)> Files()
    {
        yield return (BundleManifest.FileName, JsonSerializer.SerializeToUtf8Bytes(Manifest, BundleManifest.Json));
        foreach (var name in GraphFiles)
        {
            yield return (name, Graphs[name]);
        }

        yield return (SnapshotFile, SerializeSnapshot(Snapshot));
        yield return (KeywordsFile, Keywords);
    }

    /// <summary>Writes the bundle into a folder (created; written beside and renamed so readers never see half of it).</summary>
    public void WriteTo(string directory)
    {
        var full = Path.GetFullPath(directory);
        var staging = full.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        foreach (var (name, content) in Files())
        {
            File.WriteAllBytes(Path.Combine(staging, name), content);
        }

        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }

        Directory.Move(staging, full);
    }

    /// <summary>Loads and verifies a bundle folder.</summary>
    public static ModelBundle Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new InvalidDataException($"Model bundle folder '{directory}' does not exist.");
        }

        return Load(name =>
        {
            var path = Path.Combine(directory, name);
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        });
    }

    /// <summary>Loads and verifies a bundle from any file source (a folder, blob storage, memory).</summary>
    public static ModelBundle Load(Func<string, byte[]?> readFile)
    {
        var manifestBytes = readFile(BundleManifest.FileName)
            ?? throw new InvalidDataException("The model bundle has no manifest.json.");
        BundleManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BundleManifest>(manifestBytes, BundleManifest.Json)
                ?? throw new InvalidDataException("The model bundle's manifest is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The model bundle's manifest is not valid: {e.Message}", e);
        }

        if (manifest.Format != BundleManifest.CurrentFormat)
        {
            throw new InvalidDataException($"Model bundle format {manifest.Format} is not supported (expected {BundleManifest.CurrentFormat}).");
        }

        if (string.IsNullOrWhiteSpace(manifest.Version) || manifest.Files is null || manifest.Settings is null)
        {
            throw new InvalidDataException("The model bundle's manifest lacks a version, settings or file list.");
        }

        manifest.Settings.Validate();
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in GraphFiles.Append(SnapshotFile).Append(KeywordsFile))
        {
            contents[name] = readFile(name) ?? throw new InvalidDataException($"The model bundle is missing {name}.");
        }

        // The snapshot (hundreds of MB for a million items) is hashed while it is parsed; a parse is only used, and a
        // parse error only reported, once every checksum has matched, so a corrupt file reads as corrupt.
        var verified = Task.Run(() => Verify(manifest, contents));
        ActorSnapshot snapshot;
        try
        {
            using var snapshotStream = new MemoryStream(contents[SnapshotFile], writable: false);
            snapshot = ActorSnapshot.Read(snapshotStream);
        }
        catch (Exception)
        {
            verified.GetAwaiter().GetResult();
            throw;
        }

        verified.GetAwaiter().GetResult();
        if (snapshot.HiddenDim != manifest.Settings.HiddenDim)
        {
            throw new InvalidDataException($"The actor snapshot has states of {snapshot.HiddenDim} values; the manifest says {manifest.Settings.HiddenDim}.");
        }

        return new ModelBundle
        {
            Manifest = manifest,
            Graphs = GraphFiles.ToDictionary(n => n, n => contents[n], StringComparer.Ordinal),
            Snapshot = snapshot,
            Keywords = contents[KeywordsFile],
        };
    }

    private static void Verify(BundleManifest manifest, Dictionary<string, byte[]> contents)
    {
        foreach (var (name, content) in contents)
        {
            if (!manifest.Files!.TryGetValue(name, out var expected))
            {
                throw new InvalidDataException($"The model bundle's manifest does not list {name}.");
            }

            var actual = Describe(content);
            if (actual.Bytes != expected.Bytes)
            {
                throw new InvalidDataException($"{name} has {actual.Bytes} bytes; the manifest says {expected.Bytes} (truncated or replaced).");
            }

            if (!string.Equals(actual.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"{name} does not match its checksum in the manifest (corrupt).");
            }
        }
    }

    private static byte[] SerializeSnapshot(ActorSnapshot snapshot)
    {
        using var stream = new MemoryStream();
        snapshot.Write(stream);
        return stream.ToArray();
    }

    private static BundleFile Describe(byte[] content) =>
        new(Convert.ToHexStringLower(SHA256.HashData(content)), content.LongLength);
}
