using Azure.Storage.Blobs;
using Drex.Storage.Bundles;
using Drex.Storage.Log;
using Drex.Testing;

namespace Drex.Storage.Tests;

/// <summary>Data written to a persisting Azurite survives a restart of the emulator on the same ports.</summary>
public sealed class AzuriteRestartTests : IAsyncLifetime
{
    private readonly string _location = Directory.CreateTempSubdirectory("drex-azurite-data-").FullName;
    private AzuriteServer _server = null!;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync(_location);

    [Fact]
    public async Task RestartAsync_PersistentLocation_KeepsTheLogAndBundles()
    {
        var service = BlobClients.Create(_server.ConnectionString);
        var records = TestData.Records(0, 6);
        await new BlobInteractionLogStore(service.GetBlobContainerClient("drex-log")).AppendAsync(records[..4]);
        await new BlobBundleStore(service.GetBlobContainerClient("drex-models")).UploadAsync(TestData.Bundle("v1"));
        var port = _server.BlobPort;

        await _server.RestartAsync();

        Assert.Equal(port, _server.BlobPort);
        service = BlobClients.Create(_server.ConnectionString);
        var log = new BlobInteractionLogStore(service.GetBlobContainerClient("drex-log"));
        Assert.Equal(3, await log.GetHeadAsync());
        await log.AppendAsync(records[4..]);
        var read = new List<Model.Data.InteractionLogRecord>();
        await foreach (var record in log.ReadAsync(-1))
        {
            read.Add(record);
        }

        Assert.Equal(records, read);
        Assert.Equal(["v1"], await new BlobBundleStore(service.GetBlobContainerClient("drex-models")).ListAsync());
    }

    [Fact]
    public async Task StopAsync_KillsTheServerProcess()
    {
        var pid = _server.ProcessId ?? throw new InvalidOperationException("Azurite is not running.");

        await _server.StopAsync();

        Assert.Null(_server.ProcessId);
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_location, recursive: true);
    }
}
