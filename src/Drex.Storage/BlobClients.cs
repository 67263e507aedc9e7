using Azure.Storage.Blobs;

namespace Drex.Storage;

/// <summary>Creates the blob clients Drex uses, pinned to a storage service version that Azure and the pinned Azurite both serve.</summary>
public static class BlobClients
{
    /// <summary>
    /// The REST API version every Drex blob request uses. Azure.Storage.Blobs 12.30 defaults to 2026-10-06, which
    /// Azurite 3.37 refuses ("API version not supported"); Azure serves older versions indefinitely, so pinning the
    /// newest one Azurite knows keeps real Azure and the emulator on one code path without --skipApiVersionCheck.
    /// </summary>
    public const BlobClientOptions.ServiceVersion ServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary>A service client for a connection string ("UseDevelopmentStorage=true" or a full one).</summary>
    public static BlobServiceClient Create(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new BlobServiceClient(connectionString, new BlobClientOptions(ServiceVersion));
    }

    /// <summary>A container client for a connection string.</summary>
    public static BlobContainerClient Container(string connectionString, string container) =>
        Create(connectionString).GetBlobContainerClient(container);
}
