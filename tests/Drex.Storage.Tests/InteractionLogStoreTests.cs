using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Drex.Model.Data;
using Drex.Storage.Log;
using Drex.Testing;

namespace Drex.Storage.Tests;

/// <summary>The behaviour every interaction log store shares, run against each of them.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class InteractionLogStoreTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("drex-log-").FullName, "log", "interactions.jsonl");
    private readonly BlobContainerClient _container =
        BlobClients.Container(azurite.ConnectionString, AzuriteFixture.UniqueName("log"));
    private readonly MemoryInteractionLogStore _memory = new();
    private readonly List<IDisposable> _opened = [];

    public static TheoryData<string> AllStores => ["Blob", "File", "Memory"];

    public static TheoryData<string> DurableStores => ["Blob", "File"];

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task GetHeadAsync_EmptyLog_IsMinusOneAndReadsNothing(string kind)
    {
        var store = Open(kind);

        Assert.Equal(-1, await store.GetHeadAsync());
        Assert.Empty(await ReadAllAsync(store, -1));
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task AppendAsync_SeveralBatches_ReadsBackInOrderFromAnyPoint(string kind)
    {
        var store = Open(kind);
        var records = TestData.Records(0, 10);
        await store.AppendAsync(records[..3]);
        await store.AppendAsync(records[3..4]);
        await store.AppendAsync(records[4..]);

        Assert.Equal(9, await store.GetHeadAsync());
        Assert.Equal(records, await ReadAllAsync(store, -1));
        Assert.Equal(records[5..], await ReadAllAsync(store, 4));
        Assert.Empty(await ReadAllAsync(store, 9));

        var reopened = Open(kind);
        Assert.Equal(9, await reopened.GetHeadAsync());
        Assert.Equal(records, await ReadAllAsync(reopened, -1));
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task AppendAsync_SequenceGaps_AreKept(string kind)
    {
        var store = Open(kind);
        InteractionLogRecord[] records = [TestData.Record(5), TestData.Record(9), TestData.Record(40)];
        await store.AppendAsync(records);

        Assert.Equal(40, await store.GetHeadAsync());
        Assert.Equal(records[1..], await ReadAllAsync(store, 6));
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task AppendAsync_RecordsAtOrBelowTheHead_AreSkippedSoRetriesAreIdempotent(string kind)
    {
        var store = Open(kind);
        var records = TestData.Records(0, 8);
        await store.AppendAsync(records[..5]);

        await store.AppendAsync(records[3..]);
        await Open(kind).AppendAsync(records[..5]);

        Assert.Equal(records, await ReadAllAsync(Open(kind), -1));
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task AppendAsync_SequenceNotIncreasing_ThrowsAndWritesNothing(string kind)
    {
        var store = Open(kind);
        await store.AppendAsync(TestData.Records(0, 2));

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([TestData.Record(5), TestData.Record(5)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([TestData.Record(7), TestData.Record(6)]));

        Assert.Equal(1, await store.GetHeadAsync());
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task AppendAsync_RecordWithoutId_ThrowsAndWritesNothing(string kind)
    {
        var store = Open(kind);
        var noId = TestData.Record(1) with { Interaction = TestData.Record(1).Interaction with { Id = null } };

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([TestData.Record(0), noId]));

        Assert.Equal(-1, await store.GetHeadAsync());
        Assert.Empty(await ReadAllAsync(store, -1));
    }

    [Theory]
    [MemberData(nameof(DurableStores))]
    public async Task TornTail_IsIgnoredByReadersAndWritersAfterARestart(string kind)
    {
        var records = TestData.Records(0, 6);
        var writer = Open(kind);
        await writer.AppendAsync(records[..3]);
        (writer as IDisposable)?.Dispose();
        await TearTailAsync(kind, """{"id":"x-3","userId":"user-3","ite""");

        var restarted = Open(kind);
        Assert.Equal(2, await restarted.GetHeadAsync());
        Assert.Equal(records[..3], await ReadAllAsync(restarted, -1));

        await restarted.AppendAsync(records[3..]);

        Assert.Equal(5, await restarted.GetHeadAsync());
        Assert.Equal(records, await ReadAllAsync(Open(kind), -1));
    }

    [Fact]
    public async Task File_TornTail_IsCutOffBeforeTheNextAppend()
    {
        await Open("File").AppendAsync(TestData.Records(0, 2));
        DisposeOpened();
        var committed = new FileInfo(_file).Length;
        await TearTailAsync("File", """{"id":"x-2",""");

        await Open("File").AppendAsync([TestData.Record(2)]);

        var bytes = await File.ReadAllBytesAsync(_file);
        Assert.Equal(3, bytes.Count(b => b == (byte)'\n'));
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.StartsWith("""{"id":"x-2","userId":""", Encoding.UTF8.GetString(bytes.AsSpan((int)committed)), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task ReadAsync_LongLogWithGaps_ReadsExactlyTheRecordsAboveAnySequence(string kind)
    {
        // ~1 MB of lines of uneven length, sequences 0, 3, 6, ...: a folder log bisects its file to find where to start.
        var random = new Random(7);
        var records = Enumerable.Range(0, 4000).Select(i => TestData.Record(3L * i, random.Next(0, 480))).ToArray();
        var store = Open(kind);
        foreach (var batch in records.Chunk(700))
        {
            await store.AppendAsync(batch);
        }

        long[] afters = [long.MinValue, -10, -1, 0, 1, 2, 3, 4, 299, 300, 5_000, 5_998, 6_000, 6_001, 11_990, 11_994, 11_997, 11_998, 20_000];
        foreach (var after in afters)
        {
            Assert.Equal(records.Where(r => r.Seq > after), await ReadAllAsync(store, after));
        }
    }

    [Fact]
    public async Task File_ReadAfterASequence_StartsNearItInsteadOfReadingTheFileFromTheStart()
    {
        var records = TestData.Records(0, 3000, reviewLength: 200);
        await Open("File").AppendAsync(records);
        DisposeOpened();
        // Spoil the first line (same length, not JSON): only a read that starts at the beginning parses it.
        var bytes = await File.ReadAllBytesAsync(_file);
        var firstLine = Array.IndexOf(bytes, (byte)'\n');
        Array.Fill(bytes, (byte)'#', 0, firstLine);
        await File.WriteAllBytesAsync(_file, bytes);

        var store = Open("File");

        Assert.Equal(records[2990..], await ReadAllAsync(store, 2989));
        Assert.Equal(records[1500..], await ReadAllAsync(store, 1499));
        await Assert.ThrowsAsync<InteractionLogFormatException>(() => ReadAllAsync(store, -1));
    }

    [Fact]
    public async Task File_ReaderInAnotherInstance_SeesTheWritersDurableRecords()
    {
        var writer = Open("File");
        await writer.AppendAsync(TestData.Records(0, 3));

        var reader = Open("File");

        Assert.Equal(2, await reader.GetHeadAsync());
        Assert.Equal(TestData.Records(0, 3), await ReadAllAsync(reader, -1));
    }

    [Fact]
    public async Task Blob_PastTheBlockLimit_RollsOverAndReadsAcrossSegments()
    {
        var options = new BlobInteractionLogOptions { MaxBlocksPerSegment = 3 };
        var store = Open("Blob", options);
        var records = TestData.Records(0, 20);
        for (var i = 0; i < 20; i += 2)
        {
            await store.AppendAsync(records[i..(i + 2)]);
        }

        var segments = await SegmentsAsync();
        Assert.Equal(Enumerable.Range(0, 4).Select(BlobInteractionLogStore.SegmentName), segments.Select(s => s.Name));
        Assert.Equal(["0", "6", "12", "18"], segments.Select(s => s.Metadata["firstseq"]));
        Assert.Equal(records, await ReadAllAsync(Open("Blob", options), -1));
        Assert.Equal(records[13..], await ReadAllAsync(Open("Blob", options), 12));
        Assert.Equal(19, await Open("Blob", options).GetHeadAsync());

        await Open("Blob", options).AppendAsync(TestData.Records(20, 1));
        Assert.Equal(4, (await SegmentsAsync()).Count);
        var newest = await _container.GetAppendBlobClient(BlobInteractionLogStore.SegmentName(3)).GetPropertiesAsync();
        Assert.Equal(2, newest.Value.BlobCommittedBlockCount);
    }

    [Fact]
    public async Task Blob_PastTheByteLimit_RollsOverBetweenAppends()
    {
        var options = new BlobInteractionLogOptions { MaxSegmentBytes = 1500, MaxBlockBytes = 1024 };
        var store = Open("Blob", options);
        var records = TestData.Records(0, 12, reviewLength: 100);
        for (var i = 0; i < 12; i += 3)
        {
            await store.AppendAsync(records[i..(i + 3)]);
        }

        var segments = await SegmentsAsync();
        Assert.True(segments.Count >= 2, $"{segments.Count} segments");
        Assert.All(segments, s => Assert.True(s.Properties.ContentLength <= 1500, $"{s.Name}: {s.Properties.ContentLength} bytes"));
        Assert.Equal(records, await ReadAllAsync(Open("Blob", options), -1));
    }

    [Fact]
    public async Task Blob_BatchOverTheBlockSize_IsSplitIntoSeveralBlocks()
    {
        var options = new BlobInteractionLogOptions { MaxBlockBytes = 1024 };
        var records = TestData.Records(0, 20, reviewLength: 200);

        await Open("Blob", options).AppendAsync(records);

        var properties = await _container.GetAppendBlobClient(BlobInteractionLogStore.SegmentName(0)).GetPropertiesAsync();
        Assert.True(properties.Value.BlobCommittedBlockCount > 4, $"{properties.Value.BlobCommittedBlockCount} blocks");
        Assert.Equal(records, await ReadAllAsync(Open("Blob"), -1));
    }

    [Fact]
    public async Task Blob_RecordLargerThanABlock_ThrowsAndWritesNothing()
    {
        var options = new BlobInteractionLogOptions { MaxBlockBytes = 1024 };

        await Assert.ThrowsAsync<ArgumentException>(() => Open("Blob", options).AppendAsync(TestData.Records(0, 1, reviewLength: 2000)));

        Assert.Equal(-1, await Open("Blob").GetHeadAsync());
    }

    [Fact]
    public async Task Blob_AnotherWriterAppendedMeanwhile_ReloadsAndSkipsWhatIsDurable()
    {
        var records = TestData.Records(0, 8);
        var first = Open("Blob");
        await first.AppendAsync(records[..3]);
        await Open("Blob").AppendAsync(records[3..6]);

        await first.AppendAsync(records[3..]);

        Assert.Equal(records, await ReadAllAsync(Open("Blob"), -1));
        Assert.Equal(7, await first.GetHeadAsync());
    }

    [Fact]
    public async Task Blob_TornTailUnderALiveWriter_StartsANewSegment()
    {
        var records = TestData.Records(0, 5);
        var writer = Open("Blob");
        await writer.AppendAsync(records[..3]);
        await TearTailAsync("Blob", """{"id":"x-3",""");

        await writer.AppendAsync(records[3..]);

        Assert.Equal(2, (await SegmentsAsync()).Count);
        Assert.Equal(records, await ReadAllAsync(Open("Blob"), -1));
        Assert.Equal(4, await Open("Blob").GetHeadAsync());
    }

    [Fact]
    public async Task Blob_GetHeadAsync_SeesAppendsOfAnotherInstance()
    {
        var reader = Open("Blob");
        Assert.Equal(-1, await reader.GetHeadAsync());

        await Open("Blob").AppendAsync(TestData.Records(0, 2));
        Assert.Equal(1, await reader.GetHeadAsync());

        await Open("Blob").AppendAsync(TestData.Records(2, 2));
        Assert.Equal(3, await reader.GetHeadAsync());
    }

    public void Dispose()
    {
        DisposeOpened();
        Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(_file))!, recursive: true);
        _container.DeleteIfExists();
    }

    private IInteractionLogStore Open(string kind, BlobInteractionLogOptions? options = null)
    {
        switch (kind)
        {
            case "Blob":
                return new BlobInteractionLogStore(_container, options);
            case "File":
                var store = new FileInteractionLogStore(_file);
                _opened.Add(store);
                return store;
            case "Memory":
                return _memory;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private void DisposeOpened()
    {
        _opened.ForEach(s => s.Dispose());
        _opened.Clear();
    }

    private async Task TearTailAsync(string kind, string partialLine)
    {
        var bytes = Encoding.UTF8.GetBytes(partialLine);
        if (kind == "Blob")
        {
            var newest = (await SegmentsAsync())[^1].Name;
            await _container.GetAppendBlobClient(newest).AppendBlockAsync(new MemoryStream(bytes));
        }
        else
        {
            await using var file = new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            await file.WriteAsync(bytes);
        }
    }

    private async Task<List<Azure.Storage.Blobs.Models.BlobItem>> SegmentsAsync()
    {
        var segments = new List<Azure.Storage.Blobs.Models.BlobItem>();
        await foreach (var blob in _container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions
        {
            Traits = Azure.Storage.Blobs.Models.BlobTraits.Metadata,
        }))
        {
            segments.Add(blob);
        }

        return segments;
    }

    private static async Task<List<InteractionLogRecord>> ReadAllAsync(IInteractionLogStore store, long after)
    {
        var records = new List<InteractionLogRecord>();
        await foreach (var record in store.ReadAsync(after))
        {
            records.Add(record);
        }

        return records;
    }
}
