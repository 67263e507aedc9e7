using Azure.Storage.Blobs;
using Drex.Model.Bundle;
using Drex.Storage.Bundles;
using Drex.Testing;

namespace Drex.Storage.Tests;

/// <summary>Blob-stored bundles downloaded through a host's folder (<see cref="LocalBundleCache"/>), against Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class LocalBundleCacheTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drex-bundle-cache-").FullName;
    private readonly BlobContainerClient _container =
        BlobClients.Container(azurite.ConnectionString, AzuriteFixture.UniqueName("models"));

    [Fact]
    public async Task DownloadAsync_AnotherProcessOfTheHostDownloadedIt_LoadsTheHostsCopy()
    {
        var bundle = TestData.Bundle("v1");
        await Silo().UploadAsync(bundle);
        await Silo().DownloadAsync("v1");
        // Were the second silo to download, it would find no snapshot.
        await _container.GetBlobClient(BlobBundleStore.BlobName("v1", ModelBundle.SnapshotFile)).DeleteAsync();

        var loaded = await Silo().DownloadAsync("v1");

        Assert.Equal(Contents(bundle), Contents(loaded));
        Assert.Equal(["v1"], Folders());
    }

    [Fact]
    public async Task DownloadAsync_CachedSnapshotDamaged_DownloadsItAgain()
    {
        var bundle = TestData.Bundle("v1");
        await Silo().UploadAsync(bundle);
        await Silo().DownloadAsync("v1");
        var cached = Path.Combine(_root, "v1", ModelBundle.SnapshotFile);
        var bytes = await File.ReadAllBytesAsync(cached);
        bytes[^1] ^= 0x5A;
        await File.WriteAllBytesAsync(cached, bytes);

        var loaded = await Silo().DownloadAsync("v1");

        Assert.Equal(Contents(bundle), Contents(loaded));
        Assert.Equal(Snapshot(bundle), await File.ReadAllBytesAsync(cached));
    }

    [Fact]
    public async Task DownloadAsync_CachedFolderHoldsAnotherBundleOfTheVersion_ReplacesIt()
    {
        TestData.Bundle("v1", seed: 2).WriteTo(Path.Combine(_root, "v1"));
        var bundle = TestData.Bundle("v1", seed: 1);
        await Silo().UploadAsync(bundle);

        var loaded = await Silo().DownloadAsync("v1");

        Assert.Equal(Contents(bundle), Contents(loaded));
        Assert.Equal(Contents(bundle), Contents(await ModelBundle.LoadAsync(Path.Combine(_root, "v1"))));
    }

    [Fact]
    public async Task DownloadAsync_BlobLongerThanItsManifestSays_IsRefusedWithoutKeepingIt()
    {
        var bundle = TestData.Bundle("v1");
        await Silo().UploadAsync(bundle);
        await _container.GetBlobClient(BlobBundleStore.BlobName("v1", ModelBundle.SnapshotFile))
            .UploadAsync(BinaryData.FromBytes([.. Snapshot(bundle), .. new byte[4096]]), overwrite: true);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Silo().DownloadAsync("v1"));

        Assert.Contains($"{ModelBundle.SnapshotFile} is longer than the {Snapshot(bundle).Length} bytes its manifest says", error.Message, StringComparison.Ordinal);
        Assert.Contains("'v1'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Folders());
    }

    [Fact]
    public async Task DownloadAsync_CorruptBlob_IsRefusedWithoutKeepingIt()
    {
        var bundle = TestData.Bundle("v1");
        await Silo().UploadAsync(bundle);
        var corrupt = Snapshot(bundle);
        corrupt[^1] ^= 0x5A;
        await _container.GetBlobClient(BlobBundleStore.BlobName("v1", ModelBundle.SnapshotFile)).UploadAsync(BinaryData.FromBytes(corrupt), overwrite: true);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Silo().DownloadAsync("v1"));

        Assert.Contains($"{ModelBundle.SnapshotFile} does not match its checksum", error.Message, StringComparison.Ordinal);
        Assert.Empty(Folders());
    }

    [Fact]
    public async Task DownloadAsync_ManySilosOfAHostAtOnce_AllLoadItAndOneCopyStays()
    {
        var bundle = TestData.Bundle("v1");
        await Silo().UploadAsync(bundle);

        var loaded = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Silo().DownloadAsync("v1"))));

        Assert.All(loaded, l => Assert.Equal(Contents(bundle), Contents(l)));
        Assert.Equal(["v1"], Folders());
    }

    [Fact]
    public async Task LoadAsync_ManyProcessesOfAHostAtOnce_OneDownloadsWhileTheOthersWait()
    {
        var files = TestData.Bundle("v1").Files().ToDictionary(f => f.Name, f => f.Content);
        var downloads = 0;
        Task<Stream?> Open(string name, CancellationToken cancellationToken)
        {
            if (name == ModelBundle.SnapshotFile)
            {
                Interlocked.Increment(ref downloads);
            }

            return Task.FromResult<Stream?>(new MemoryStream(files[name], writable: false));
        }

        var loaded = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => new LocalBundleCache(_root).LoadAsync("v1", files[BundleManifest.FileName], Open))));

        Assert.Equal(1, downloads);
        Assert.All(loaded, l => Assert.Equal(["u1", "u2"], l.Snapshot.Users.Select(u => u.Id)));
        Assert.Equal(["v1"], Folders());
    }

    [Fact]
    public async Task DownloadAsync_MoreVersionsThanKept_KeepsTheNewest()
    {
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            await Silo(keep: 2).UploadAsync(TestData.Bundle(version));
            await Silo(keep: 2).DownloadAsync(version);
        }

        Assert.Equal(["v2", "v3"], Folders());
    }

    [Fact]
    public async Task DownloadAsync_SnapshotInUseWhenItsVersionIsPruned_StaysReadable()
    {
        var first = TestData.Bundle("v1");
        await Silo(keep: 1).UploadAsync(first);
        var serving = await Silo(keep: 1).DownloadAsync("v1");
        await Silo(keep: 1).UploadAsync(TestData.Bundle("v2"));

        await Silo(keep: 1).DownloadAsync("v2");

        Assert.Equal(["v2"], Folders());
        Assert.Equal(first.Snapshot.Users.Select(u => (u.Id, u.State.Sum())), serving.Snapshot.Users.Select(u => (u.Id, u.State.Sum())));
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        _container.DeleteIfExists();
    }

    /// <summary>A silo's store: a new one each time, as each silo process has its own, over the one host folder.</summary>
    private BlobBundleStore Silo(int keep = LocalBundleCache.DefaultKeep) => new(_container, cache: new LocalBundleCache(_root, keep));

    /// <summary>What is in the cache folder (staging folders included, so a leftover one shows).</summary>
    private string[] Folders() =>
        Directory.Exists(_root) ? [.. Directory.GetDirectories(_root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];

    private static byte[] Snapshot(ModelBundle bundle) => bundle.Files().Single(f => f.Name == ModelBundle.SnapshotFile).Content;

    private static string[] Contents(ModelBundle bundle) =>
        [.. bundle.Files().Where(f => f.Name != BundleManifest.FileName).Select(f => $"{f.Name}:{Convert.ToHexString(f.Content)}")];
}
