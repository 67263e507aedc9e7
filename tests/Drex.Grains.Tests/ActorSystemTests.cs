using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Bundle;
using Drex.Model.Runtime;
using Drex.Model.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Core.Internal;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Drex.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ActorSystemTests(ClusterFixture fixture)
{
    private static readonly Lazy<ReviewEncoder> Encoder = new(() => ReviewEncoder.LoadEmbedded());

    private IIngestGrain Ingest => fixture.Grains.GetGrain<IIngestGrain>(0);

    [Fact]
    public async Task IngestBatch_MixedModalities_StatesAndPredictionsEqualOfflineReplay()
    {
        var (user, other) = (Key("u"), Key("u"));
        var (first, second, third) = (Key("i"), Key("i"), Key("i"));
        var requests = new[]
        {
            Request(user, first, 5, "Great guitar strings, bright tone"),
            Request(user, second, 2, null),
            Request(other, first, null, "The cable hums with noise"),
            Request(user, third, 4, "Solid stand"),
            Request(other, second, 3, "ok"),
        };

        var results = await Ingest.IngestBatchAsync(requests);

        var current = await fixture.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).GetCurrentAsync();
        using var runtime = new DrexRuntime(await fixture.Bundles.DownloadAsync(current!.Version));
        var replay = new Replayer(runtime);
        var expected = requests.Select(r => replay.Apply(r.UserId, r.ItemId, Input(r))).ToArray();
        for (var k = 0; k < requests.Length; k++)
        {
            Assert.False(results[k].Duplicate);
            Assert.Equal(current.Version, results[k].ModelVersion);
            Assert.Equal(expected[k], results[k].Prediction!.Value, 1e-4);
        }

        foreach (var id in new[] { user, other })
        {
            AssertClose(replay.UserState(id), (await fixture.Grains.GetGrain<IUserGrain>(id).GetVectorAsync()).State);
        }

        foreach (var id in new[] { first, second, third })
        {
            AssertClose(replay.ItemState(id), (await fixture.Grains.GetGrain<IItemGrain>(id).GetVectorAsync()).State);
        }

        var view = await fixture.Grains.GetGrain<IUserGrain>(user).GetViewAsync();
        Assert.Equal(3, view.Interactions);
        Assert.Equal(3, view.Ratings);
        Assert.Contains(view.Keywords, k => k.Word is "guitar" or "strings" or "stand");
        Assert.NotNull(view.PrequentialMae);
    }

    [Fact]
    public async Task Ingest_RetriedId_ChangesNothingInEitherActor()
    {
        var user = Key("u");
        var item = Key("i");
        var request = Request(user, item, 4, "Nice pedal");
        var first = await Ingest.IngestAsync(request);
        var userBefore = await fixture.Grains.GetGrain<IUserGrain>(user).GetVectorAsync();
        var itemBefore = await fixture.Grains.GetGrain<IItemGrain>(item).GetVectorAsync();

        var second = await Ingest.IngestAsync(request);

        Assert.True(second.Duplicate);
        Assert.Equal(first.Prediction, second.Prediction);
        Assert.Equal(userBefore.State, (await fixture.Grains.GetGrain<IUserGrain>(user).GetVectorAsync()).State);
        Assert.Equal(itemBefore.State, (await fixture.Grains.GetGrain<IItemGrain>(item).GetVectorAsync()).State);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IUserGrain>(user).GetViewAsync()).Interactions);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync()).Interactions);
    }

    [Fact]
    public async Task Ingest_RetryOlderThanTheItemsIdWindow_IsStillAppliedOnce()
    {
        // The item sees more interactions after the first than its id window holds; the user sees none.
        var (user, item) = (Key("u"), Key("i"));
        var (request, _, later) = await IngestThenOutgrowTheItemsWindowAsync(user, item);

        var retried = await Ingest.IngestAsync(request);

        Assert.True(retried.Duplicate);
        Assert.Equal(later + 1, (await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync()).Interactions);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IUserGrain>(user).GetViewAsync()).Interactions);
    }

    [Fact]
    public async Task Ingest_RetryAfterTheLogReactivates_KeepsItsSequence_AndIsAppliedOnce()
    {
        // As above, and every idle activation (the log's among them) is collected before the retry: the log's new
        // activation reads the recent ids back from the durable log, so the retry gets its first sequence number,
        // which the item still holds among its pending interactions.
        var (user, item) = (Key("u"), Key("i"));
        var (request, first, later) = await IngestThenOutgrowTheItemsWindowAsync(user, item);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var retried = await Ingest.IngestAsync(request);

        Assert.True(retried.Duplicate);
        Assert.Equal(first.Sequence, retried.Sequence);
        Assert.Equal(later + 1, (await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync()).Interactions);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IUserGrain>(user).GetViewAsync()).Interactions);
    }

    [Fact]
    public async Task Ingest_RetryCoveredByARetrain_AfterItsIdLeftTheWindow_IsADuplicate()
    {
        // A model whose watermark covers the interaction drops it from the item's pending interactions when the item
        // moves onto it (its snapshot holds it), and 1,034 later interactions pushed its id out of the item's window:
        // the retry's sequence, at or below the model's watermark, is what tells the item it has it.
        var (user, item) = (Key("u"), Key("i"));
        var (request, first, later) = await IngestThenOutgrowTheItemsWindowAsync(user, item);

        var head = await fixture.Grains.GetGrain<IInteractionLogGrain>(DrexKeys.Log).GetHeadAsync();
        await fixture.PublishAsync(TestBundles.Create(Key("v"), seed: 5, watermark: head));
        // The item's next interaction moves it onto the new model, which drops the pending entries the model covers.
        Assert.False((await Ingest.IngestAsync(Request(Key("u"), item, 5, null))).Duplicate);
        var retried = await Ingest.IngestAsync(request);

        Assert.True(retried.Duplicate);
        Assert.Equal(first.Sequence, retried.Sequence);
        Assert.Equal(later + 2, (await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync()).Interactions);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IUserGrain>(user).GetViewAsync()).Interactions);
    }

    [Fact]
    public async Task Ingest_RetryOfAnInteractionLoggedButNeverApplied_CoveredByARetrain_IsCountedOnce()
    {
        // The silo died between the log's append and the actors' updates; a model trained from the log (its snapshot
        // counts both interactions) is published before the client retries. The retry, at or below the watermark, is
        // answered as already in the model, and the actors count it from the snapshot.
        var (user, item) = (Key("u"), Key("i"));
        Assert.False((await Ingest.IngestAsync(Request(user, item, 4, null))).Duplicate);
        var lost = Request(user, item, 5, null);
        var logged = await fixture.Grains.GetGrain<IInteractionLogGrain>(DrexKeys.Log).AppendAsync([lost]);
        await fixture.PublishAsync(TestBundles.Create(Key("v"), seed: 6, users: [user], items: [item], watermark: logged[0], interactions: 2));

        var retried = await Ingest.IngestAsync(lost);

        Assert.True(retried.Duplicate);
        Assert.Equal(logged[0], retried.Sequence);
        foreach (var view in new[] { await fixture.Grains.GetGrain<IUserGrain>(user).GetViewAsync(), await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync() })
        {
            Assert.Equal((2, 2), (view.Interactions, view.Ratings));
        }
    }

    [Fact]
    public async Task Ingest_RetryAfterTheActorsWereCollected_ReturnsTheFirstPrediction()
    {
        // The prediction is recorded after the actors' writes; collecting them for being idle writes it.
        var request = Request(Key("u"), Key("i"), 4, "Warm tone");
        var first = await Ingest.IngestAsync(request);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var retried = await Ingest.IngestAsync(request);

        Assert.True(retried.Duplicate);
        Assert.NotNull(first.Prediction);
        Assert.Equal(first.Prediction, retried.Prediction);
        Assert.NotNull((await fixture.Grains.GetGrain<IUserGrain>(request.UserId).GetViewAsync()).PrequentialMae);
    }

    [Fact]
    public async Task Ingest_ConcurrentUpdatesOfOneItem_AreGroupCommittedAndEachAppliedExactlyOnce()
    {
        // The same rating-only interaction from 64 users at once: the item's updates queue up and are applied in
        // batches, in whatever order they arrived; identical features make the expected state independent of order.
        var item = Key("i");
        var requests = Enumerable.Range(0, 64).Select(_ => Request(Key("u"), item, 4, null)).ToArray();

        var first = await Task.WhenAll(requests.Select(r => fixture.Grains.GetGrain<IIngestGrain>(0).IngestAsync(r)));
        var retried = await Task.WhenAll(requests.Select(r => fixture.Grains.GetGrain<IIngestGrain>(0).IngestAsync(r)));

        Assert.All(first, r => Assert.False(r.Duplicate));
        Assert.All(retried, r => Assert.True(r.Duplicate));
        // Appends batched per silo still give each interaction its own sequence, and a retry its first one.
        Assert.Equal(64, first.Select(r => r.Sequence).Distinct().Count());
        Assert.Equal(first.Select(r => r.Sequence), retried.Select(r => r.Sequence));
        Assert.True(await fixture.Grains.GetGrain<IInteractionLogGrain>(DrexKeys.Log).GetHeadAsync() >= first.Max(r => r.Sequence));
        var current = await fixture.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).GetCurrentAsync();
        using var runtime = new DrexRuntime(await fixture.Bundles.DownloadAsync(current!.Version));
        var feature = runtime.Encode(Input(requests[0])).Feature;
        var expected = runtime.Bundle.Snapshot.ItemInitial;
        for (var k = 0; k < requests.Length; k++)
        {
            expected = runtime.StepItem(feature, expected);
        }

        AssertClose(expected, (await fixture.Grains.GetGrain<IItemGrain>(item).GetVectorAsync()).State);
        var view = await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync();
        Assert.Equal(64, view.Interactions);
        Assert.Equal(64, view.Ratings);
    }

    [Fact]
    public void Silos_StoreGrainStateInMemoryStorage_InOrleansBinaryFormat()
    {
        foreach (var silo in fixture.Cluster.Silos)
        {
            var services = ((InProcessSiloHandle)silo).SiloHost.Services;
            Assert.IsType<PooledGrainStorageSerializer>(services.GetRequiredService<IGrainStorageSerializer>());
            foreach (var storage in new[] { GrainStorage.Name, GrainStorage.Actors })
            {
                Assert.IsType<MemoryGrainStateStorage>(services.GetRequiredKeyedService<IGrainStorage>(storage));
            }
        }
    }

    [Fact]
    public async Task Actors_StoreTheirStatesInTheActorStorage()
    {
        var (user, item) = (Key("u"), Key("i"));
        await Ingest.IngestAsync(Request(user, item, 4, null));

        var services = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services;
        foreach (var (state, grain) in new[] { ("user", fixture.Grains.GetGrain<IUserGrain>(user).GetGrainId()), ("item", fixture.Grains.GetGrain<IItemGrain>(item).GetGrainId()) })
        {
            var stored = new ActorStorage(services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Actors), state, grain);
            await stored.ReadAsync();
            Assert.True(stored.RecordExists);
            Assert.Equal((1, 1), (stored.State.Interactions, stored.State.Ratings));
        }
    }

    [Fact]
    public async Task Apply_AStepThatFailsInABatch_FailsAlone_AndTheRestOfTheBatchIsApplied()
    {
        await fixture.EnsureActiveAsync(ClusterFixture.FirstVersion);
        var user = fixture.Grains.GetGrain<IUserGrain>(Key("u"));
        var feature = new float[TestBundles.Settings().FusionDim];
        ActorUpdate Update(int sequence, float[] f) => new(Key("x"), sequence, $"i{sequence}", 4f, false, f, [], ClusterFixture.FirstVersion);

        // Sent without waiting: those after the first queue up behind its write and are applied as one batch, the
        // malformed feature (its GRU step throws) among them.
        var valid = Enumerable.Range(1, 6).Select(n => user.ApplyAsync(Update(n, feature))).ToList();
        var malformed = user.ApplyAsync(Update(100, new float[3]));
        valid.Add(user.ApplyAsync(Update(7, feature)));

        await Assert.ThrowsAsync<ArgumentException>(() => malformed);
        Assert.All(await Task.WhenAll(valid), r => Assert.Equal(UpdateStatus.Applied, r.Status));
        var view = await user.GetViewAsync();
        Assert.Equal(7, view.Interactions);
    }

    [Fact]
    public async Task Ingest_NoModality_IsRejectedBeforeAnyActorChanges()
    {
        var user = Key("u");
        await Assert.ThrowsAsync<ArgumentException>(() => Ingest.IngestAsync(Request(user, "i1", null, "   ")));
        Assert.False((await fixture.Grains.GetGrain<IUserGrain>(user).GetViewAsync()).Known);
    }

    [Fact]
    public async Task Recommend_RatedItemsExcluded_ResultsExplained()
    {
        await fixture.EnsureActiveAsync(ClusterFixture.FirstVersion); // its snapshot holds i1-i5
        var user = Key("u");
        await Ingest.IngestAsync(Request(user, "i1", 5, "guitar"));

        var recommendations = await fixture.Grains.GetGrain<IQueryGrain>(0).RecommendAsync(user, 3);

        Assert.Equal(3, recommendations.Items.Length);
        Assert.DoesNotContain(recommendations.Items, r => r.ItemId == "i1");
        Assert.True(recommendations.Items.Zip(recommendations.Items.Skip(1)).All(p => p.First.Rating >= p.Second.Rating));
        var prediction = await fixture.Grains.GetGrain<IQueryGrain>(0).PredictAsync(user, recommendations.Items[0].ItemId);
        Assert.Equal(recommendations.Items[0].Rating, prediction.Rating, 1e-4);
    }

    [Fact]
    public async Task Read_GivesTheStateAndTheView_OfOneVersion()
    {
        var (user, item) = (Key("u"), Key("i"));
        await Ingest.IngestAsync(Request(user, item, 5, "bright crisp strings"));

        foreach (var reading in new[] { await fixture.Grains.GetGrain<IUserGrain>(user).ReadAsync(), await fixture.Grains.GetGrain<IItemGrain>(item).ReadAsync() })
        {
            Assert.Equal(reading.Vector.ModelVersion, reading.View.ModelVersion);
            Assert.Equal(1, reading.View.Interactions);
            Assert.NotEmpty(reading.View.Keywords);
        }

        Assert.Equal((await fixture.Grains.GetGrain<IUserGrain>(user).GetVectorAsync()).State, (await fixture.Grains.GetGrain<IUserGrain>(user).ReadAsync()).Vector.State);
        Assert.Equal(
            (await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync()).Keywords, (await fixture.Grains.GetGrain<IItemGrain>(item).ReadAsync()).View.Keywords);
    }

    [Fact]
    public async Task Recommend_ExplainsEachItemWithItsCurrentProfile_AsPredictionDoes()
    {
        await fixture.EnsureActiveAsync(ClusterFixture.FirstVersion);
        var (fan, other, item) = (Key("u"), Key("u"), Key("new-item"));
        // The same review by both: the same words enter both profiles, so the explanation cannot be empty. The item is
        // not in the snapshot: the index knows its words only from the item's update.
        await Ingest.IngestAsync(Request(other, item, 5, "warm humbucker tone"));
        await Ingest.IngestAsync(Request(fan, "i1", 5, "warm humbucker tone"));

        var recommendations = await fixture.Grains.GetGrain<IQueryGrain>(0).RecommendAsync(fan, 100);

        var recommended = Assert.Single(recommendations.Items, r => r.ItemId == item);
        Assert.NotEmpty(recommended.Explanation);
        var prediction = await fixture.Grains.GetGrain<IQueryGrain>(0).PredictAsync(fan, item);
        Assert.Equal(prediction.Explanation, recommended.Explanation);
        Assert.Equal(prediction.Rating, recommended.Rating, 1e-4);
        Assert.DoesNotContain(recommendations.Items, r => r.ItemId == "i1");
    }

    [Fact]
    public async Task IndexPartition_PreparingAnUpcomingVersion_KeepsServingTheCurrentOne_UntilTheSwap()
    {
        await fixture.EnsureActiveAsync(ClusterFixture.FirstVersion);
        var next = TestBundles.Create(Key("v"), seed: 13, users: ["known-user"], items: ["p1", "p2", "p3"]);
        await fixture.Bundles.UploadAsync(next);
        var partition = fixture.Grains.GetGrain<IItemIndexGrain>(0);
        var user = Enumerable.Range(0, TestBundles.Settings().HiddenDim).Select(k => 0.1f * (k + 1)).ToArray();
        var before = await partition.TopAsync(user, 0f, 100, [], ClusterFixture.FirstVersion);

        await partition.PrepareAsync(next.Version);

        var during = await partition.TopAsync(user, 0f, 100, [], ClusterFixture.FirstVersion);
        Assert.Contains(during, i => i.ItemId == "i1");
        Assert.Equal(before.Select(i => (i.ItemId, i.Score)), during.Select(i => (i.ItemId, i.Score)));
        Assert.Empty(await partition.TopAsync(user, 0f, 100, [], next.Version)); // not served by the silo yet

        await fixture.PublishAsync(next);

        var after = await partition.TopAsync(user, 0f, 100, [], next.Version);
        Assert.Equal(["p1", "p2", "p3"], after.Select(i => i.ItemId).Order());
        Assert.Equal(["p1word"], after.Single(i => i.ItemId == "p1").Keywords.Select(k => k.Word));
    }

    [Fact]
    public async Task IndexPartition_AnUpdateUnderTheVersionItPrepares_IsKeptThroughTheSwap()
    {
        await fixture.EnsureActiveAsync(ClusterFixture.FirstVersion);
        var next = TestBundles.Create(Key("v"), seed: 17, users: ["known-user"], items: ["q1", "q2"]);
        await fixture.Bundles.UploadAsync(next);
        var partition = fixture.Grains.GetGrain<IItemIndexGrain>(0);
        var user = Enumerable.Range(0, TestBundles.Settings().HiddenDim).Select(k => 0.1f * (k + 1)).ToArray();
        await partition.PrepareAsync(next.Version);

        // As an item grain whose silo already serves the next version would send it, before this partition's silo swaps.
        await partition.UpsertAsync(new ActorVector("q-early", [.. user.Select(x => 10 * x)], 0f, next.Version), [new Keyword("early", 1f)]);
        await partition.CountAsync(); // answered after the one-way update, which comes first from the same caller
        await fixture.PublishAsync(next);

        var after = await partition.TopAsync(user, 0f, 10, [], next.Version);
        Assert.Equal("q-early", after[0].ItemId);
        Assert.Equal(["early"], after[0].Keywords.Select(k => k.Word));
        Assert.Equal(["q-early", "q1", "q2"], after.Select(i => i.ItemId).Order());
    }

    [Fact]
    public async Task IndexPartition_RebuiltFromTheSnapshot_CatchesUpWithItemsUpdatedAfterTheWatermark()
    {
        // A model trained on the log as it stands: what comes after is only in the items' grains.
        var head = await fixture.Grains.GetGrain<IInteractionLogGrain>(DrexKeys.Log).GetHeadAsync();
        var (known, rated, newcomer) = (Key("r"), Key("r"), Key("r-new"));
        var model = TestBundles.Create(Key("v"), seed: 19, users: ["known-user"], items: [known, rated], watermark: head);
        await fixture.PublishAsync(model);
        var fan = Key("u");
        await Ingest.IngestAsync(Request(Key("u"), known, 1, "thin buzzing strings"));
        await Ingest.IngestAsync(Request(Key("u"), newcomer, 5, "warm humbucker tone"));
        await Ingest.IngestAsync(Request(fan, rated, 4, "warm tone"));
        var user = await fixture.Grains.GetGrain<IUserGrain>(fan).GetVectorAsync();
        var partition = fixture.Grains.GetGrain<IItemIndexGrain>(0); // one partition for so few items

        // The partition's silo stopped: a new activation builds its rows from the snapshot alone.
        await partition.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var caughtUp = await partition.CatchUpAsync(model.Version);

        Assert.Equal(3, caughtUp);
        var top = await partition.TopAsync(user.State, user.Bias, 10, [], model.Version);
        Assert.Equal(new[] { known, newcomer, rated }.Order(), top.Select(i => i.ItemId).Order());
        foreach (var item in new[] { known, newcomer, rated })
        {
            // Scored and explained from the item's state now, as a prediction is.
            var prediction = await fixture.Grains.GetGrain<IQueryGrain>(0).PredictAsync(fan, item);
            Assert.Equal(prediction.Rating, top.Single(i => i.ItemId == item).Score, 1e-4);
            Assert.Equal(
                (await fixture.Grains.GetGrain<IItemGrain>(item).GetViewAsync()).Keywords,
                top.Single(i => i.ItemId == item).Keywords);
        }
    }

    [Fact]
    public async Task IndexPartitions_AreSpreadOverTheSilos_ByKey()
    {
        var partitions = Enumerable.Range(0, 4).Select(p => fixture.Grains.GetGrain<IItemIndexGrain>(p)).ToArray();
        await Task.WhenAll(partitions.Select(p => p.CountAsync()));
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);

        var placed = new List<SiloAddress?>();
        foreach (var partition in partitions)
        {
            placed.Add(await management.GetActivationAddress(partition));
        }

        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress).Order().ToArray();
        Assert.Equal(2, silos.Length);
        Assert.Equal([silos[0], silos[1], silos[0], silos[1]], placed);
    }

    [Fact]
    public async Task HotSwap_NewVersion_ActorsRebaseOntoSnapshotPlusOwnReplay_AndRollbackWorks()
    {
        var user = Key("u");
        var requests = new[] { Request(user, "i3", 4, "warm tone"), Request(user, "i4", 1, null) };
        await Ingest.IngestBatchAsync(requests);
        var previous = (await fixture.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).GetCurrentAsync())!.Version;

        var next = TestBundles.Create(Key("v"), seed: 7, users: [user], items: ["i1", "i2", "i3", "i4", "i5"]);
        await fixture.PublishAsync(next);

        var vector = await fixture.Grains.GetGrain<IUserGrain>(user).GetVectorAsync();
        Assert.Equal(next.Version, vector.ModelVersion);
        using var runtime = new DrexRuntime(next);
        var replay = new Replayer(runtime);
        foreach (var r in requests)
        {
            replay.Apply(r.UserId, r.ItemId, Input(r));
        }

        AssertClose(replay.UserState(user), vector.State);
        Assert.Equal(next.Snapshot.Users.Single(a => a.Id == user).Bias, vector.Bias);

        await fixture.ActivateAsync(previous);
        Assert.Equal(previous, (await fixture.Grains.GetGrain<IUserGrain>(user).GetVectorAsync()).ModelVersion);
    }

    [Fact]
    public async Task HotSwap_UnderTraffic_NoRequestFails_AndActorsAnswerWithNewStateFromReplay()
    {
        var users = Enumerable.Range(0, 6).Select(_ => Key("u")).ToArray();
        var items = Enumerable.Range(0, 4).Select(_ => Key("i")).ToArray();
        var sent = new List<InteractionRequest>();
        var swapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = TestBundles.Create(Key("v"), seed: 11, users: [users[0]], items: [items[0]]);
        var traffic = Task.Run(async () =>
        {
            // Keep ingesting until the swap is done, then one more round: some batches straddle the swap.
            for (var round = 0; round < 200 && !(swapped.Task.IsCompleted && round > 0 && sent.Count > 40); round++)
            {
                var batch = users.Select((u, k) => Request(u, items[(round + k) % items.Length], 1 + (round + k) % 5, k % 2 == 0 ? "bright tone" : null)).ToArray();
                await Ingest.IngestBatchAsync(batch);
                lock (sent)
                {
                    sent.AddRange(batch);
                }
            }
        });

        await fixture.PublishAsync(next);
        swapped.SetResult();
        await traffic;

        using var runtime = new DrexRuntime(next);
        var replay = new Replayer(runtime);
        foreach (var r in sent)
        {
            replay.Apply(r.UserId, r.ItemId, Input(r));
        }

        foreach (var u in users)
        {
            var vector = await fixture.Grains.GetGrain<IUserGrain>(u).GetVectorAsync();
            Assert.Equal(next.Version, vector.ModelVersion);
            AssertClose(replay.UserState(u), vector.State);
        }

        foreach (var i in items)
        {
            var vector = await fixture.Grains.GetGrain<IItemGrain>(i).GetVectorAsync();
            Assert.Equal(next.Version, vector.ModelVersion);
            AssertClose(replay.ItemState(i), vector.State);
        }
    }

    [Fact]
    public async Task Publish_CorruptBundle_IsRefusedAndCurrentVersionKeepsServing()
    {
        var registry = fixture.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry);
        var before = await registry.GetCurrentAsync();
        var bad = TestBundles.Create(Key("bad"), seed: 3);
        await fixture.Bundles.UploadAsync(bad);
        var graph = Directory.GetFiles(fixture.Root, "user_cell.onnx", SearchOption.AllDirectories).Single(f => f.Contains(bad.Version));
        var bytes = File.ReadAllBytes(graph);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(graph, bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => registry.PublishAsync(bad.Version));

        Assert.Contains("user_cell.onnx", error.Message);
        Assert.Equal(before!.Version, (await registry.GetCurrentAsync())!.Version);
        Assert.DoesNotContain(await registry.GetVersionsAsync(), v => v.Version == bad.Version);
    }

    [Fact]
    public async Task Publish_ABundleCoveringMoreThanTheLogHolds_IsRefusedAndCurrentVersionKeepsServing()
    {
        // Actors take every sequence up to a model's watermark as in its snapshot: a model trained on another log
        // would make new interactions read as duplicates.
        var registry = fixture.Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry);
        var before = await registry.GetCurrentAsync();
        var head = await fixture.Grains.GetGrain<IInteractionLogGrain>(DrexKeys.Log).GetHeadAsync();
        var ahead = TestBundles.Create(Key("ahead"), seed: 3, watermark: head + 1_000);
        await fixture.Bundles.UploadAsync(ahead);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => registry.PublishAsync(ahead.Version));

        Assert.Contains($"covers the interaction log up to sequence {head + 1_000}", error.Message);
        Assert.Equal(before!.Version, (await registry.GetCurrentAsync())!.Version);
        Assert.DoesNotContain(await registry.GetVersionsAsync(), v => v.Version == ahead.Version);
    }

    /// <summary>
    /// Ingests one rating, then more on its item from other users than the item's id window holds: the first
    /// interaction, its result and how many came after it.
    /// </summary>
    private async Task<(InteractionRequest Request, InteractionResult First, int Later)> IngestThenOutgrowTheItemsWindowAsync(string user, string item)
    {
        var request = Request(user, item, 4, null);
        var first = await Ingest.IngestAsync(request);
        var later = Enumerable.Range(0, RecentWindow.Capacity + 10).Select(_ => Request(Key("u"), item, 3, null)).ToArray();
        foreach (var chunk in later.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(Ingest.IngestAsync));
        }

        return (request, first, later.Length);
    }

    private static InteractionInput Input(InteractionRequest r)
    {
        var review = string.IsNullOrWhiteSpace(r.Review) ? null : Encoder.Value.Encode([r.Review])[0];
        return new InteractionInput(review?.Vectors ?? [], review?.Length ?? 0, r.Rating);
    }

    private static InteractionRequest Request(string user, string item, float? rating, string? review) =>
        new(Key("x"), user, item, rating, review, 1_700_000_000);

    private static string Key(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-4, $"max abs difference {worst}");
    }
}
