using Drex.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Drex.Grains.Tests;

/// <summary>The in-memory grain storage on the two-silo cluster: a state written on one silo reads back on the other.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MemoryGrainStateStorageTests(ClusterFixture fixture)
{
    private const string State = "state";

    [Fact]
    public async Task Write_OnOneSilo_ReadsBackOnTheOther_WithItsETag()
    {
        var id = Grain();
        var written = new GrainState<ActorState>(new ActorState { ModelVersion = "v", State = [1f, 2f], Keywords = [new Keyword("tuner", 0.5f)] });
        await Storage(0).WriteStateAsync(State, id, written);

        var read = new GrainState<ActorState>(new ActorState());
        await Storage(1).ReadStateAsync(State, id, read);

        Assert.True(read.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal([1f, 2f], read.State!.State);
        Assert.Equal("tuner", read.State!.Keywords.Single().Word);
    }

    [Fact]
    public async Task Write_WithAStaleETag_FailsAndLeavesTheStoredState()
    {
        var id = Grain();
        var first = new GrainState<ActorState>(new ActorState { ModelVersion = "first" });
        await Storage(0).WriteStateAsync(State, id, first);
        var stale = new GrainState<ActorState>(new ActorState { ModelVersion = "stale" }) { ETag = first.ETag };
        first.State!.ModelVersion = "second";
        await Storage(0).WriteStateAsync(State, id, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage(1).WriteStateAsync(State, id, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage(1).WriteStateAsync(State, id, new GrainState<ActorState>(new ActorState())));

        var read = new GrainState<ActorState>(new ActorState());
        await Storage(1).ReadStateAsync(State, id, read);
        Assert.Equal("second", read.State!.ModelVersion);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task Clear_ThenRead_FindsNoRecord_AndANewWriteIsAccepted()
    {
        var id = Grain();
        var state = new GrainState<ActorState>(new ActorState { ModelVersion = "v" });
        await Storage(0).WriteStateAsync(State, id, state);
        await Storage(1).ClearStateAsync(State, id, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        var read = new GrainState<ActorState>(new ActorState());
        await Storage(0).ReadStateAsync(State, id, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);

        await Storage(0).WriteStateAsync(State, id, new GrainState<ActorState>(new ActorState { ModelVersion = "again" }));
        await Storage(1).ReadStateAsync(State, id, read);
        Assert.Equal("again", read.State!.ModelVersion);
    }

    [Fact]
    public async Task Partition_WritesThatShrinkAndGrow_ReadBackExactly_AndAReadKeepsWhatItGot()
    {
        // The partition overwrites a state's block in place while the state fits: nothing it held beyond a shorter
        // state may read back, a state that outgrows the block reads back whole, and a read's bytes are its own.
        var partition = fixture.Grains.GetGrain<IMemoryStatePartitionGrain>(3);
        var key = Guid.NewGuid().ToString("N");
        byte[] Bytes(int length, int seed) => [.. Enumerable.Range(0, length).Select(k => (byte)(k * 7 + seed))];
        var first = (await partition.WriteAsync([key], [new StoredGrainState(Bytes(300, 1), null)])).Single();
        var earlier = await partition.ReadAsync(key);

        var eTag = first.ETag;
        foreach (var (length, seed) in new[] { (2, 2), (0, 3), (5, 4), (2_000, 5), (299, 6) })
        {
            var written = (await partition.WriteAsync([key], [new StoredGrainState(Bytes(length, seed), eTag)])).Single();
            Assert.True(written.Accepted);
            eTag = written.ETag;

            var read = await partition.ReadAsync(key);
            Assert.Equal(Bytes(length, seed), read!.Data.ToArray());
            Assert.Equal(eTag, read.ETag);
        }

        Assert.Equal(Bytes(300, 1), earlier!.Data.ToArray());
    }

    [Fact]
    public async Task Partition_ABatchOfWrites_ChecksEachETagOnItsOwn_InOrder()
    {
        var partition = fixture.Grains.GetGrain<IMemoryStatePartitionGrain>(5);
        var (kept, refused) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        var stored = (await partition.WriteAsync([refused], [new StoredGrainState(new byte[] { 1 }, null)])).Single();

        var checks = await partition.WriteAsync(
            [kept, refused, kept],
            [new StoredGrainState(new byte[] { 2 }, null), new StoredGrainState(new byte[] { 3 }, "stale"), new StoredGrainState(new byte[] { 4 }, null)]);

        Assert.True(checks[0].Accepted);
        Assert.Equal(new ETagCheck(false, stored.ETag), checks[1]);
        Assert.False(checks[2].Accepted); // in order: the first write of the key stored an ETag the third did not name
        Assert.Equal(checks[0].ETag, checks[2].ETag);
        Assert.Equal([2], (await partition.ReadAsync(kept))!.Data.ToArray());
        Assert.Equal([1], (await partition.ReadAsync(refused))!.Data.ToArray());
    }

    [Fact]
    public async Task ConcurrentWrites_ThroughEitherSilo_EachGetTheirOwnOutcome()
    {
        // Writes that wait while their partition's call is in flight share the next call; each keeps its ETag check.
        var ids = Enumerable.Range(0, 400).Select(_ => Grain()).ToArray();
        var states = ids.Select((_, k) => new GrainState<ActorState>(new ActorState { ModelVersion = $"v{k}" })).ToArray();
        await Task.WhenAll(ids.Select((id, k) => Storage(k % 2).WriteStateAsync(State, id, states[k])));
        var stale = new GrainState<ActorState>(new ActorState { ModelVersion = "stale" }) { ETag = "stale" };

        var outcomes = await Task.WhenAll(ids.Select((id, k) => k % 10 == 0
            ? CaptureAsync(Storage(0).WriteStateAsync(State, id, stale))
            : CaptureAsync(Storage(1).WriteStateAsync(State, id, states[k]))));

        Assert.All(outcomes.Where((_, k) => k % 10 == 0), e => Assert.IsType<InconsistentStateException>(e));
        Assert.All(outcomes.Where((_, k) => k % 10 != 0), Assert.Null);
        for (var k = 0; k < ids.Length; k++)
        {
            var read = new GrainState<ActorState>(new ActorState());
            await Storage(k % 2).ReadStateAsync(State, ids[k], read);
            Assert.Equal($"v{k}", read.State!.ModelVersion);
            Assert.Equal(states[k].ETag, read.ETag);
        }
    }

    [Fact]
    public async Task States_OfOtherNamesOrProviders_AreKeptApart()
    {
        var id = Grain();
        await Storage(0).WriteStateAsync(State, id, new GrainState<ActorState>(new ActorState { ModelVersion = "actors" }));
        var services = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services;
        var registry = services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);

        var read = new GrainState<ActorState>(new ActorState());
        await registry.ReadStateAsync(State, id, read);
        Assert.False(read.RecordExists);
        await Storage(0).ReadStateAsync("other", id, read);
        Assert.False(read.RecordExists);
    }

    private static async Task<Exception?> CaptureAsync(Task write)
    {
        try
        {
            await write;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private IGrainStorage Storage(int silo) =>
        ((InProcessSiloHandle)fixture.Cluster.Silos[silo]).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Actors);

    private static GrainId Grain() => GrainId.Create("user", Guid.NewGuid().ToString("N"));
}
