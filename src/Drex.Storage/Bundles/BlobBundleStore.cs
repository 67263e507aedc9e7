using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Drex.Model.Bundle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drex.Storage.Bundles;

/// <summary>
/// Model bundles in Azure Blob Storage, one virtual folder per version: <c>{version}/{file}</c>. Uploads write every
/// file first and <c>manifest.json</c> last (only if absent), so a bundle is listed only once complete and never
/// changes afterwards. Downloads fetch the bundle's files and verify every checksum: into a
/// <see cref="LocalBundleCache"/> folder when the store has one (the snapshot is then mapped and shared by the host's
/// processes), otherwise into this process's memory.
/// </summary>
public sealed partial class BlobBundleStore : IBundleStore
{
    /// <summary>The container bundles live in unless configured otherwise.</summary>
    public const string DefaultContainer = "drex-models";

    private readonly BlobContainerClient _container;
    private readonly ILogger _logger;
    private bool _containerReady;

    /// <summary>Creates a store over a container (created on the first upload), downloading through a host's cache if given one.</summary>
    public BlobBundleStore(BlobContainerClient container, ILogger<BlobBundleStore>? logger = null, LocalBundleCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        Cache = cache;
        _logger = logger ?? NullLogger<BlobBundleStore>.Instance;
    }

    /// <summary>The host's folder downloads go through, if the store has one.</summary>
    public LocalBundleCache? Cache { get; }

    /// <summary>The blob name of a bundle's file.</summary>
    public static string BlobName(string version, string file) => $"{version}/{file}";

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The version exists with different content.</exception>
    public async Task UploadAsync(ModelBundle bundle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var version = BundleFiles.ValidateVersion(bundle.Version);
        if (!_containerReady)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerReady = true;
        }

        var manifestBlob = _container.GetBlobClient(BlobName(version, BundleManifest.FileName));
        if (await TryDownloadAsync(manifestBlob, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            EnsureSame(stored, bundle);
            return;
        }

        var files = bundle.Files().ToArray();
        await Task.WhenAll(files.Where(f => f.Name != BundleManifest.FileName).Select(f =>
            _container.GetBlobClient(BlobName(version, f.Name)).UploadAsync(BinaryData.FromBytes(f.Content), overwrite: true, cancellationToken)))
            .ConfigureAwait(false);

        var manifest = files.Single(f => f.Name == BundleManifest.FileName).Content;
        try
        {
            var onlyIfAbsent = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
            await manifestBlob.UploadAsync(BinaryData.FromBytes(manifest), onlyIfAbsent, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another upload of this version finished first: fine if it is the same bundle.
            EnsureSame(await TryDownloadAsync(manifestBlob, cancellationToken).ConfigureAwait(false) ?? [], bundle);
            return;
        }

        LogUploaded(_logger, version, _container.Name, files.Sum(f => (long)f.Content.Length));
    }

    /// <inheritdoc />
    /// <exception cref="KeyNotFoundException">No manifest exists for the version.</exception>
    public async Task<ModelBundle> DownloadAsync(string version, CancellationToken cancellationToken = default)
    {
        BundleFiles.ValidateVersion(version);
        var manifest = await TryDownloadAsync(_container.GetBlobClient(BlobName(version, BundleManifest.FileName)), cancellationToken)
            .ConfigureAwait(false)
            ?? throw new KeyNotFoundException(
                $"Model bundle '{version}' does not exist in container '{_container.Name}' (no {BlobName(version, BundleManifest.FileName)}).");

        try
        {
            Task<Stream?> Open(string name, CancellationToken ct) => TryOpenAsync(_container.GetBlobClient(BlobName(version, name)), ct);
            if (Cache is not null)
            {
                return await Cache.LoadAsync(version, manifest, Open, cancellationToken).ConfigureAwait(false);
            }

            // The snapshot streams into native memory (SnapshotBytes), is hashed there and read in place.
            return await ModelBundle.LoadAsync(
                async (name, ct) => name == BundleManifest.FileName ? new MemoryStream(manifest, writable: false) : await Open(name, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Model bundle '{version}' in container '{_container.Name}' is not valid: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var versions = new List<string>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
                if (slash > 0 && blob.Name.AsSpan(slash + 1).SequenceEqual(BundleManifest.FileName))
                {
                    versions.Add(blob.Name[..slash]);
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound.ToString())
        {
            return [];
        }

        versions.Sort(StringComparer.Ordinal);
        return versions;
    }

    private void EnsureSame(byte[] stored, ModelBundle bundle)
    {
        if (!BundleFiles.SameContent(stored, bundle.Manifest))
        {
            throw BundleFiles.Conflict(bundle.Version, $"container '{_container.Name}'");
        }

        LogAlreadyPresent(_logger, bundle.Version, _container.Name);
    }

    private static async Task<byte[]?> TryDownloadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var result = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static async Task<Stream?> TryOpenAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var result = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Uploaded model bundle {Version} to container {Container} ({Bytes} bytes).")]
    private static partial void LogUploaded(ILogger logger, string version, string container, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model bundle {Version} is already in container {Container}; nothing uploaded.")]
    private static partial void LogAlreadyPresent(ILogger logger, string version, string container);
}
