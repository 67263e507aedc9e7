using System.Diagnostics.Metrics;
using Azure.Data.Tables;
using Drex.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Drex.Persistence.Tests;

/// <summary>The group-committing grain storage against a real Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class GroupCommitTableGrainStorageTests(AzuriteFixture azurite)
{
    private static readonly IGrainStorageSerializer Serializer =
        new OrleansGrainStorageSerializer(new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    private const string State = "actor";

    private readonly string _table = AzuriteFixture.UniqueName("grains");

    [Fact]
    public async Task Write_ThenRead_FromAnotherInstance_ReturnsTheStateAndItsETag()
    {
        var storage = await StartAsync();
        var written = new GrainState<List<string>>(["a", "b"]);
        await storage.WriteStateAsync(State, Grain("alice"), written);

        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);
        var read = new GrainState<List<string>>([]);
        await (await StartAsync()).ReadStateAsync(State, Grain("alice"), read);
        Assert.Equal(["a", "b"], read.State);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Read_Missing_LeavesTheDefaultStateAndNoETag()
    {
        var storage = await StartAsync();
        var read = new GrainState<List<string>>(["default"]);
        await storage.ReadStateAsync(State, Grain("nobody"), read);
        Assert.Equal(["default"], read.State);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Write_WithStaleETag_FailsAndKeepsTheNewerState()
    {
        var storage = await StartAsync();
        var first = new GrainState<List<string>>(["v1"]);
        await storage.WriteStateAsync(State, Grain("bob"), first);
        var stale = new GrainState<List<string>>(["stale"], first.ETag);
        first.State = ["v2"];
        await storage.WriteStateAsync(State, Grain("bob"), first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(State, Grain("bob"), stale));
        Assert.Equal(["v2"], (await ReadAsync<List<string>>(storage, "bob")).State);
    }

    [Fact]
    public async Task FirstWrite_OfAStateThatExists_Fails()
    {
        var storage = await StartAsync();
        await storage.WriteStateAsync(State, Grain("carol"), new GrainState<List<string>>(["mine"]));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(State, Grain("carol"), new GrainState<List<string>>(["other activation"])));
        Assert.Equal(["mine"], (await ReadAsync<List<string>>(storage, "carol")).State);
    }

    [Fact]
    public async Task ConcurrentWrites_InOnePartition_GoOutAsTransactions_AndEachIsStored()
    {
        var storage = await StartAsync(partitions: 1);
        var entitiesPerRequest = new List<int>();
        using var listener = ListenTo("drex.storage.write.entities", entitiesPerRequest);
        var states = Enumerable.Range(0, 300).Select(i => new GrainState<List<string>>([$"state {i}"])).ToArray();

        await Task.WhenAll(states.Select((state, i) => storage.WriteStateAsync(State, Grain($"item {i}"), state)));

        lock (entitiesPerRequest)
        {
            Assert.Equal(300, entitiesPerRequest.Sum());
            Assert.True(entitiesPerRequest.Max() > 1, "no write waited for another: nothing was batched");
            Assert.True(entitiesPerRequest.Max() <= GroupCommitTableGrainStorage.MaxBatchEntities);
        }

        var reader = await StartAsync(partitions: 1);
        for (var i = 0; i < states.Length; i++)
        {
            var read = await ReadAsync<List<string>>(reader, $"item {i}");
            Assert.Equal([$"state {i}"], read.State);
            Assert.Equal(states[i].ETag, read.ETag);
        }
    }

    [Fact]
    public async Task ConcurrentReads_InOnePartition_EachGetsItsOwnState()
    {
        var storage = await StartAsync(partitions: 1);
        for (var i = 0; i < 100; i += 2)
        {
            await storage.WriteStateAsync(State, Grain($"reader {i}"), new GrainState<List<string>>([$"state {i}"]));
        }

        var reads = Enumerable.Range(0, 100).Select(i => new GrainState<List<string>>(["default"])).ToArray();
        await Task.WhenAll(reads.Select((state, i) => storage.ReadStateAsync(State, Grain($"reader {i}"), state)));

        for (var i = 0; i < reads.Length; i++)
        {
            Assert.Equal(i % 2 == 0, reads[i].RecordExists);
            Assert.Equal(i % 2 == 0 ? [$"state {i}"] : ["default"], reads[i].State);
            Assert.Equal(i % 2 == 0, reads[i].ETag is not null);
        }
    }

    [Fact]
    public async Task StaleWrite_InABatch_FailsAlone()
    {
        var storage = await StartAsync(partitions: 1);
        var victim = new GrainState<List<string>>(["v1"]);
        await storage.WriteStateAsync(State, Grain("victim"), victim);
        var stale = new GrainState<List<string>>(["stale"], victim.ETag);
        victim.State = ["v2"];
        await storage.WriteStateAsync(State, Grain("victim"), victim);

        // Enough writes at once that the stale one shares a transaction with others.
        var others = Enumerable.Range(0, 60).Select(i => new GrainState<List<string>>([$"ok {i}"])).ToArray();
        var writes = others.Select((state, i) => storage.WriteStateAsync(State, Grain($"other {i}"), state))
            .Append(storage.WriteStateAsync(State, Grain("victim"), stale)).ToArray();
        await Assert.ThrowsAnyAsync<Exception>(() => Task.WhenAll(writes));

        Assert.IsType<InconsistentStateException>(writes[^1].Exception!.InnerException);
        Assert.All(writes[..^1], w => Assert.True(w.IsCompletedSuccessfully));
        Assert.Equal(["v2"], (await ReadAsync<List<string>>(storage, "victim")).State);
        for (var i = 0; i < others.Length; i++)
        {
            Assert.Equal([$"ok {i}"], (await ReadAsync<List<string>>(storage, $"other {i}")).State);
        }
    }

    [Fact]
    public async Task LargeState_IsSplitOverProperties_AndReadBackWhole()
    {
        var storage = await StartAsync();
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        await storage.WriteStateAsync(State, Grain("hot"), new GrainState<byte[]>(bytes));
        Assert.Equal(bytes, (await ReadAsync<byte[]>(storage, "hot")).State);
    }

    [Fact]
    public async Task StateOverTheEntityLimit_IsRefusedClearly_AndNothingIsWritten()
    {
        var storage = await StartAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => storage.WriteStateAsync(State, Grain("huge"), new GrainState<byte[]>(new byte[GroupCommitTableGrainStorage.MaxStateBytes + 1])));
        Assert.Contains("at most", error.Message);
        Assert.False((await ReadAsync<byte[]>(storage, "huge")).RecordExists);
    }

    [Theory]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("why?#", "why%3F%23")]
    [InlineData("back\\slash", "back%5Cslash")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("naïve café", "naïve café")]
    public void EscapeKey_ReplacesForbiddenCharacters(string text, string key) =>
        Assert.Equal(key, GroupCommitTableGrainStorage.EscapeKey(text));

    [Fact]
    public async Task IdsThatDifferOnlyInEscapedCharacters_AreDistinctStates()
    {
        var storage = await StartAsync();
        string[] ids = ["a/b", "a%2Fb", "a#b", "a?b", "a\\b", "a\u0001b"];
        foreach (var id in ids)
        {
            await storage.WriteStateAsync(State, Grain(id), new GrainState<List<string>>([id]));
        }

        foreach (var id in ids)
        {
            Assert.Equal([id], (await ReadAsync<List<string>>(storage, id)).State);
        }
    }

    [Fact]
    public async Task Clear_RemovesTheState()
    {
        var storage = await StartAsync();
        var state = new GrainState<List<string>>(["x"]);
        await storage.WriteStateAsync(State, Grain("dave"), state);
        await storage.ClearStateAsync(State, Grain("dave"), state);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.False((await ReadAsync<List<string>>(storage, "dave")).RecordExists);
    }

    [Fact]
    public async Task Start_WithAnotherPartitionCount_IsRefused()
    {
        await StartAsync(partitions: 4);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(partitions: 8));
        Assert.Contains("4 partitions", error.Message);
    }

    [Fact]
    public async Task Start_WithoutACount_TakesTheRecordedOne_AndFindsTheStates()
    {
        var writer = await StartAsync(partitions: 4);
        await writer.WriteStateAsync(State, Grain("erin"), new GrainState<List<string>>(["kept"]));

        var reader = await StartAsync(partitions: null);

        Assert.Equal(4, reader.Partitions);
        Assert.Equal(["kept"], (await ReadAsync<List<string>>(reader, "erin")).State);
    }

    [Fact]
    public async Task Start_WithoutACount_OnANewTable_RecordsTheDefault()
    {
        var first = await StartAsync(partitions: null);

        Assert.Equal(TableGrainStorageOptions.DefaultPartitions, first.Partitions);
        Assert.Equal(TableGrainStorageOptions.DefaultPartitions, (await StartAsync(partitions: TableGrainStorageOptions.DefaultPartitions)).Partitions);
        await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(partitions: 8));
    }

    [Fact]
    public async Task ReadOrWrite_BeforeTheStorageStarted_IsRefused()
    {
        var storage = new GroupCommitTableGrainStorage(
            "test", new TableServiceClient(azurite.ConnectionString), new TableGrainStorageOptions { TableName = _table },
            "drex-tests", Serializer, NullLogger<GroupCommitTableGrainStorage>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.WriteStateAsync(State, Grain("early"), new GrainState<List<string>>(["x"])));
        Assert.Contains("has not started", error.Message);
    }

    [Theory]
    [InlineData("ab", 8)]
    [InlineData("has-dash", 8)]
    [InlineData("actors", 0)]
    [InlineData("actors", 2000)]
    public void Options_Invalid_AreRefused(string table, int partitions) =>
        Assert.Throws<ArgumentException>(() => new TableGrainStorageOptions { TableName = table, Partitions = partitions }.Validate());

    private async Task<GroupCommitTableGrainStorage> StartAsync(int? partitions = 8)
    {
        var storage = new GroupCommitTableGrainStorage(
            "test", new TableServiceClient(azurite.ConnectionString), new TableGrainStorageOptions { TableName = _table, Partitions = partitions },
            "drex-tests", Serializer, NullLogger<GroupCommitTableGrainStorage>.Instance);
        await storage.InitializeAsync(CancellationToken.None);
        return storage;
    }

    private static async Task<GrainState<T>> ReadAsync<T>(GroupCommitTableGrainStorage storage, string id)
    {
        var state = new GrainState<T>(default!);
        await storage.ReadStateAsync(State, Grain(id), state).ConfigureAwait(false);
        return state;
    }

    private static GrainId Grain(string id) => GrainId.Create("drextest", id);

    private static MeterListener ListenTo(string histogram, List<int> sizes)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Drex.Persistence" && instrument.Name == histogram)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            lock (sizes)
            {
                sizes.Add(value);
            }
        });
        listener.Start();
        return listener;
    }
}
