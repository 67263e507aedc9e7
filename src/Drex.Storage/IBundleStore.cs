using Drex.Model.Bundle;

namespace Drex.Storage;

/// <summary>Where model bundles live (blob storage in a cluster, a folder on a laptop). Bundles are immutable once uploaded.</summary>
public interface IBundleStore
{
    /// <summary>Uploads every file of a bundle; the manifest last, so a half-uploaded bundle is never listed.</summary>
    Task UploadAsync(ModelBundle bundle, CancellationToken cancellationToken = default);

    /// <summary>Downloads and verifies a bundle (<see cref="ModelBundle.LoadAsync(Func{string, CancellationToken, Task{Stream}}, CancellationToken)"/>): corrupt or missing files throw InvalidDataException.</summary>
    Task<ModelBundle> DownloadAsync(string version, CancellationToken cancellationToken = default);

    /// <summary>Versions whose manifest is present.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);
}
