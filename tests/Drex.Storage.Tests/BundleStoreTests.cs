using Azure.Storage.Blobs;
using Drex.Model.Bundle;
using Drex.Model.Onnx;
using Drex.Storage.Bundles;
using Drex.Testing;

namespace Drex.Storage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class BundleStoreTests(AzuriteFixture azurite) : IDisposable
{
    private const string DrexGraphFile = DrexGraphs.UserCellFile;

    private readonly string _folder = Directory.CreateTempSubdirectory("drex-bundles-").FullName;
    private readonly string _cache = Directory.CreateTempSubdirectory("drex-bundle-cache-").FullName;
    private readonly BlobContainerClient _container =
        BlobClients.Container(azurite.ConnectionString, AzuriteFixture.UniqueName("models"));
    private readonly MemoryBundleStore _memory = new();

    public static TheoryData<string> AllStores => ["Blob", "CachedBlob", "Folder", "Memory"];

    public static TheoryData<string> DurableStores => ["Blob", "CachedBlob", "Folder"];

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task UploadAsync_ThenDownloadAsync_ReturnsEveryFileUnchanged(string kind)
    {
        var bundle = TestData.Bundle("20260101T000000Z-abc123");
        await Store(kind).UploadAsync(bundle);

        var loaded = await Store(kind).DownloadAsync(bundle.Version);

        Assert.Equal(bundle.Manifest.Files, loaded.Manifest.Files);
        Assert.Equal(bundle.Manifest.Settings, loaded.Manifest.Settings);
        Assert.Equal(bundle.Manifest.Watermark, loaded.Manifest.Watermark);
        Assert.Equal(bundle.Manifest.Validation, loaded.Manifest.Validation);
        Assert.Equal(
            bundle.Files().Where(f => f.Name != BundleManifest.FileName).Select(f => (f.Name, Convert.ToHexString(f.Content))),
            loaded.Files().Where(f => f.Name != BundleManifest.FileName).Select(f => (f.Name, Convert.ToHexString(f.Content))));
        Assert.Equal(["u1", "u2"], loaded.Snapshot.Users.Select(u => u.Id));
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task ListAsync_SeveralVersions_ListsThemInOrdinalOrder(string kind)
    {
        Assert.Empty(await Store(kind).ListAsync());
        foreach (var version in new[] { "v2", "v1", "v10" })
        {
            await Store(kind).UploadAsync(TestData.Bundle(version));
        }

        Assert.Equal(["v1", "v10", "v2"], await Store(kind).ListAsync());
    }

    [Theory]
    [MemberData(nameof(DurableStores))]
    public async Task ListAsync_BundleWithoutManifest_IsNotListed(string kind)
    {
        await Store(kind).UploadAsync(TestData.Bundle("v1"));
        await Store(kind).UploadAsync(TestData.Bundle("v2"));
        await DeleteFileAsync(kind, "v2", BundleManifest.FileName);

        Assert.Equal(["v1"], await Store(kind).ListAsync());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store(kind).DownloadAsync("v2"));
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task DownloadAsync_UnknownVersion_ThrowsKeyNotFoundNamingIt(string kind)
    {
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => Store(kind).DownloadAsync("missing-1"));

        Assert.Contains("'missing-1' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DurableStores))]
    public async Task DownloadAsync_CorruptFile_ThrowsInvalidDataNamingTheFile(string kind)
    {
        var bundle = TestData.Bundle("v1");
        await Store(kind).UploadAsync(bundle);
        var corrupt = bundle.Graphs[DrexGraphFile].ToArray();
        corrupt[corrupt.Length / 2] ^= 0x5A;
        await ReplaceFileAsync(kind, "v1", DrexGraphFile, corrupt);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store(kind).DownloadAsync("v1"));

        Assert.Contains($"{DrexGraphFile} does not match its checksum", error.Message, StringComparison.Ordinal);
        Assert.Contains("'v1'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Blob", "magic")]
    [InlineData("CachedBlob", "magic")]
    [InlineData("CachedBlob", "truncated")]
    [InlineData("Folder", "magic")]
    [InlineData("Folder", "truncated")]
    [InlineData("Folder", "state")]
    public async Task DownloadAsync_CorruptSnapshot_IsReportedAsCorrupt_EvenWhereItDoesNotParse(string kind, string damage)
    {
        var bundle = TestData.Bundle("v1");
        await Store(kind).UploadAsync(bundle);
        var snapshot = bundle.Files().Single(f => f.Name == ModelBundle.SnapshotFile).Content;
        byte[] corrupt = damage switch
        {
            "magic" => [(byte)'X', .. snapshot[1..]],
            "truncated" => snapshot[..^3],
            _ => [.. snapshot[..^8], .. BitConverter.GetBytes(123.5f), .. snapshot[^4..]],
        };
        await ReplaceFileAsync(kind, "v1", ModelBundle.SnapshotFile, corrupt);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store(kind).DownloadAsync("v1"));

        Assert.Matches($"{ModelBundle.SnapshotFile} (does not match its checksum|has {corrupt.Length} bytes; the manifest says {snapshot.Length})", error.Message);
    }

    [Theory]
    [MemberData(nameof(DurableStores))]
    public async Task DownloadAsync_MissingFile_ThrowsInvalidDataNamingTheFile(string kind)
    {
        await Store(kind).UploadAsync(TestData.Bundle("v1"));
        await DeleteFileAsync(kind, "v1", ModelBundle.SnapshotFile);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store(kind).DownloadAsync("v1"));

        Assert.Contains($"missing {ModelBundle.SnapshotFile}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task UploadAsync_SameBundleAgain_ChangesNothing(string kind)
    {
        var bundle = TestData.Bundle("v1");
        await Store(kind).UploadAsync(bundle);

        await Store(kind).UploadAsync(bundle);

        Assert.Equal(bundle.Manifest.Files, (await Store(kind).DownloadAsync("v1")).Manifest.Files);
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task UploadAsync_OtherContentUnderAnExistingVersion_ThrowsAndKeepsTheFirst(string kind)
    {
        var first = TestData.Bundle("v1", seed: 1);
        await Store(kind).UploadAsync(first);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store(kind).UploadAsync(TestData.Bundle("v1", seed: 2)));

        Assert.Contains("immutable", error.Message, StringComparison.Ordinal);
        Assert.Equal(first.Manifest.Files, (await Store(kind).DownloadAsync("v1")).Manifest.Files);
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task UploadAsync_VersionThatIsNotOnePathSegment_Throws(string kind)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store(kind).UploadAsync(TestData.Bundle("../escape")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store(kind).DownloadAsync("a/b"));
    }

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        Directory.Delete(_cache, recursive: true);
        _container.DeleteIfExists();
    }

    private IBundleStore Store(string kind) => kind switch
    {
        "Blob" => new BlobBundleStore(_container),
        "CachedBlob" => new BlobBundleStore(_container, cache: new LocalBundleCache(_cache)),
        "Folder" => new FolderBundleStore(_folder),
        "Memory" => _memory,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private async Task ReplaceFileAsync(string kind, string version, string file, byte[] content)
    {
        if (kind is "Blob" or "CachedBlob")
        {
            await _container.GetBlobClient(BlobBundleStore.BlobName(version, file)).UploadAsync(BinaryData.FromBytes(content), overwrite: true);
        }
        else
        {
            await File.WriteAllBytesAsync(Path.Combine(_folder, version, file), content);
        }
    }

    private async Task DeleteFileAsync(string kind, string version, string file)
    {
        if (kind is "Blob" or "CachedBlob")
        {
            await _container.GetBlobClient(BlobBundleStore.BlobName(version, file)).DeleteAsync();
        }
        else
        {
            File.Delete(Path.Combine(_folder, version, file));
        }
    }
}
