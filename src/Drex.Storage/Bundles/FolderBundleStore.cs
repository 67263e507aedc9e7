using Drex.Model.Bundle;

namespace Drex.Storage.Bundles;

/// <summary>
/// Model bundles as folders under a root folder, one per version (a laptop, or a volume shared by trainer and silo).
/// A bundle is written beside its final name and renamed into place (<see cref="ModelBundle.WriteTo"/>), so a
/// listed bundle is always complete; downloads verify every checksum.
/// </summary>
public sealed class FolderBundleStore : IBundleStore
{
    /// <summary>Creates a store over a root folder (created on the first upload).</summary>
    public FolderBundleStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The root folder's full path.</summary>
    public string Root { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The version exists with different content.</exception>
    public async Task UploadAsync(ModelBundle bundle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var folder = Path.Combine(Root, BundleFiles.ValidateVersion(bundle.Version));
        var manifest = Path.Combine(folder, BundleManifest.FileName);
        if (File.Exists(manifest))
        {
            var stored = await File.ReadAllBytesAsync(manifest, cancellationToken).ConfigureAwait(false);
            if (!BundleFiles.SameContent(stored, bundle.Manifest))
            {
                throw BundleFiles.Conflict(bundle.Version, $"folder '{Root}'");
            }

            return;
        }

        // Large snapshots make this slow file IO: keep it off the caller's (possibly a grain's) thread.
        await Task.Run(() => bundle.WriteTo(folder), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="KeyNotFoundException">No manifest exists for the version.</exception>
    public async Task<ModelBundle> DownloadAsync(string version, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(Root, BundleFiles.ValidateVersion(version));
        var manifestPath = Path.Combine(folder, BundleManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new KeyNotFoundException($"Model bundle '{version}' does not exist in folder '{Root}' (no {version}/{BundleManifest.FileName}).");
        }

        try
        {
            return await ModelBundle.LoadAsync(folder, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Model bundle '{version}' in folder '{Root}' is not valid: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Root))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var versions = Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.Contains(BundleFiles.StagingMarker, StringComparison.Ordinal)
                && File.Exists(Path.Combine(Root, name, BundleManifest.FileName)))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return Task.FromResult<IReadOnlyList<string>>(versions);
    }
}
