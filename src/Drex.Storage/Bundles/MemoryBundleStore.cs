using System.Collections.Concurrent;
using Drex.Model.Bundle;

namespace Drex.Storage.Bundles;

/// <summary>
/// Model bundles held in process memory, as their files, for tests and single-process runs: nothing survives the
/// process. Downloads go through the same verified loading as the durable stores.
/// </summary>
public sealed class MemoryBundleStore : IBundleStore
{
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, byte[]>> _bundles = new(StringComparer.Ordinal);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The version exists with different content.</exception>
    public Task UploadAsync(ModelBundle bundle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var version = BundleFiles.ValidateVersion(bundle.Version);
        var files = bundle.Files().ToDictionary(f => f.Name, f => f.Content.ToArray(), StringComparer.Ordinal);
        var stored = _bundles.GetOrAdd(version, files);
        if (!ReferenceEquals(stored, files) && !BundleFiles.SameContent(stored[BundleManifest.FileName], bundle.Manifest))
        {
            throw BundleFiles.Conflict(version, "memory");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="KeyNotFoundException">The version was never uploaded.</exception>
    public async Task<ModelBundle> DownloadAsync(string version, CancellationToken cancellationToken = default)
    {
        BundleFiles.ValidateVersion(version);
        if (!_bundles.TryGetValue(version, out var files))
        {
            throw new KeyNotFoundException($"Model bundle '{version}' does not exist in memory.");
        }

        return await ModelBundle.LoadAsync(
            (name, _) => Task.FromResult<Stream?>(files.TryGetValue(name, out var content) ? new MemoryStream(content, writable: false) : null),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(_bundles.Keys.Order(StringComparer.Ordinal).ToArray());
}
