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

    /// <summary>Every file of a bundle besides its manifest: the only ones a load reads, whatever the manifest lists.</summary>
    public static readonly IReadOnlyList<string> ContentFiles = [.. GraphFiles, KeywordsFile, SnapshotFile];

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

        files[SnapshotFile] = DescribeSnapshot(snapshot);
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

        yield return (SnapshotFile, SerializeSnapshot());
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

    /// <summary>Loads and verifies a bundle folder; its snapshot file is mapped into memory, not copied.</summary>
    public static Task<ModelBundle> LoadAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            throw new InvalidDataException($"Model bundle folder '{directory}' does not exist.");
        }

        string? Existing(string name) => Path.Combine(directory, name) is var path && File.Exists(path) ? path : null;
        return LoadAsync(
            (name, _) => Task.FromResult<Stream?>(Existing(name) is { } path ? OpenSequential(path) : null),
            (_, _) => Task.FromResult(Existing(SnapshotFile) is { } path ? SnapshotBytes.Map(path) : null),
            cancellationToken);
    }

    /// <summary>
    /// Loads and verifies a bundle from any file source (blob storage, memory), given a way to open each file (null
    /// when it does not exist). The snapshot is read into memory outside the managed heap and parsed there once its
    /// checksum matched, so a corrupt file reads as corrupt.
    /// </summary>
    public static Task<ModelBundle> LoadAsync(Func<string, CancellationToken, Task<Stream?>> openFile, CancellationToken cancellationToken = default) =>
        LoadAsync(
            openFile,
            async (announced, ct) =>
            {
                await using var stream = await openFile(SnapshotFile, ct).ConfigureAwait(false);
                return stream is null ? null : await SnapshotBytes.ReadAsync(stream, announced.Bytes, ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>Opens a bundle file for one front-to-back read.</summary>
    private static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static async Task<ModelBundle> LoadAsync(
        Func<string, CancellationToken, Task<Stream?>> openFile, Func<BundleFile, CancellationToken, Task<SnapshotBytes?>> loadSnapshot,
        CancellationToken cancellationToken)
    {
        static InvalidDataException Missing(string name) =>
            new(name == BundleManifest.FileName ? "The model bundle has no manifest.json." : $"The model bundle is missing {name}.");

        async Task<byte[]> ReadAll(string name)
        {
            await using var stream = await openFile(name, cancellationToken).ConfigureAwait(false) ?? throw Missing(name);
            using var content = new MemoryStream();
            await stream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
            return content.ToArray();
        }

        var manifest = BundleManifest.Read(await ReadAll(BundleManifest.FileName).ConfigureAwait(false));
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in ContentFiles.Where(name => name != SnapshotFile))
        {
            contents[name] = await ReadAll(name).ConfigureAwait(false);
        }

        foreach (var (name, content) in contents)
        {
            Verify(manifest, name, content.LongLength, SHA256.HashData(content));
        }

        var bytes = await loadSnapshot(manifest.Listed(SnapshotFile), cancellationToken).ConfigureAwait(false) ?? throw Missing(SnapshotFile);
        try
        {
            Verify(manifest, SnapshotFile, bytes.Length, bytes.Sha256());
            var snapshot = ActorSnapshot.Read(bytes);
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
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    private static void Verify(BundleManifest manifest, string name, long bytes, byte[] sha256)
    {
        var expected = manifest.Listed(name);
        if (bytes != expected.Bytes)
        {
            throw new InvalidDataException($"{name} has {bytes} bytes; the manifest says {expected.Bytes} (truncated or replaced).");
        }

        if (!string.Equals(Convert.ToHexStringLower(sha256), expected.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{name} does not match its checksum in the manifest (corrupt).");
        }
    }

    /// <summary>
    /// The snapshot's bytes, in one array of the length the manifest gives (a million-item snapshot is ~311 MB: a
    /// growing stream would copy it several times over, into fresh memory each time).
    /// </summary>
    private byte[] SerializeSnapshot()
    {
        var bytes = new byte[Manifest.Listed(SnapshotFile).Bytes];
        using var stream = new MemoryStream(bytes, writable: true);
        Snapshot.Write(stream);
        return stream.Position == bytes.Length
            ? bytes
            : throw new InvalidOperationException($"The snapshot wrote {stream.Position} bytes; the manifest says {bytes.Length}.");
    }

    /// <summary>The snapshot's checksum and length, hashed as it is written rather than from a copy of its bytes.</summary>
    private static BundleFile DescribeSnapshot(ActorSnapshot snapshot)
    {
        using var sink = new HashingSink();
        snapshot.Write(sink);
        return new(Convert.ToHexStringLower(sink.Hash()), sink.Length);
    }

    private static BundleFile Describe(byte[] content) =>
        new(Convert.ToHexStringLower(SHA256.HashData(content)), content.LongLength);

    /// <summary>A stream that only hashes and counts what is written to it.</summary>
    private sealed class HashingSink : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public byte[] Hash() => _hash.GetHashAndReset();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
