using Drex.Grains.Services;
using Drex.Model.Data;
using Drex.Storage;
using Drex.Storage.Log;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Drex.Grains.Tests;

public sealed class ActorStateTests
{
    [Fact]
    public void RecentWindow_RemembersTheLastCapacityIds_WithTheirPredictions()
    {
        var window = new RecentWindow();
        Assert.Equal(-1, window.Find("x-0"));
        for (var k = 0; k <= RecentWindow.Capacity; k++)
        {
            window.Add($"x-{k}");
        }

        window.RecordPrediction("x-5", 3.5f);

        Assert.Equal(-1, window.Find("x-0"));
        Assert.True(window.Find("x-1") >= 0);
        Assert.True(window.Find($"x-{RecentWindow.Capacity}") >= 0);
        Assert.Equal(3.5f, window.PredictionAt(window.Find("x-5")));
        Assert.Null(window.PredictionAt(window.Find("x-6")));
        Assert.Equal(-1, window.Find("y-5"));
        Assert.Equal(RecentWindow.Capacity, window.Ids.Length);
    }

    [Fact]
    public void RecentWindow_OfAQuietActor_StaysSmall()
    {
        var window = new RecentWindow();
        for (var k = 0; k < 9; k++)
        {
            window.Add($"x-{k}");
        }

        Assert.Equal(16, window.Ids.Length);
        Assert.All(Enumerable.Range(0, 9), k => Assert.True(window.Find($"x-{k}") >= 0));
    }

    [Fact]
    public void ActorState_SerializedSize_DoesNotGrowWithReviewTextOrTheDedupWindow()
    {
        var serializer = new OrleansGrainStorageSerializer(
            new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(ActorState).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>());
        var state = new ActorState { ModelVersion = "v", State = new float[64] };
        for (var k = 0; k < 5_000; k++)
        {
            state.Recent.Add($"interaction-{k:D12}");
            state.Pending.Add(new PendingInteraction(k, 4, HasReview: true));
        }

        var size = serializer.Serialize(state).ToMemory().Length;
        var restored = serializer.Deserialize<ActorState>(serializer.Serialize(state))!;

        // 1,024 hashed ids + predictions (12 KiB) and ~15 bytes per pending interaction, whatever the reviews' length.
        Assert.True(size < 100_000, $"{size} bytes");
        Assert.Equal(5_000, restored.Pending.Count);
        Assert.True(restored.Recent.Find("interaction-000000004999") >= 0);
    }

    [Fact]
    public async Task LogReviewCache_ReadsEachStretchOnce_AndFailsLoudlyOnAMissingReview()
    {
        var log = new CountingLog();
        await log.AppendAsync([.. Enumerable.Range(0, 20).Select(k => Record(k, k % 2 == 0 ? $"review {k}" : null))]);
        var cache = new LogReviewCache(log);

        var first = await cache.GetAsync([6, 8], watermark: 3);
        var again = await cache.GetAsync([4, 6], watermark: 3);
        var later = await cache.GetAsync([12], watermark: 3);
        var afterNewModel = await cache.GetAsync([16], watermark: 14);

        Assert.Equal("review 8", first[8]);
        Assert.Equal("review 4", again[4]);
        Assert.Equal("review 12", later[12]);
        Assert.Equal("review 16", afterNewModel[16]);
        Assert.Equal(4, log.Reads); // (5,8]; below it (3,5]; above it (8,12]; past the new watermark (15,16]
        await Assert.ThrowsAsync<InvalidDataException>(() => cache.GetAsync([17], watermark: 14));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.GetAsync([10], watermark: 14));
    }

    private static InteractionLogRecord Record(long seq, string? review) =>
        new(seq, new Interaction($"u{seq}", $"i{seq}", review is null ? 3 : null, review, 1_700_000_000, $"x{seq}"));

    private sealed class CountingLog : IInteractionLogStore
    {
        private readonly MemoryInteractionLogStore _inner = new();

        public int Reads { get; private set; }

        public Task AppendAsync(IReadOnlyList<InteractionLogRecord> records, CancellationToken cancellationToken = default) =>
            _inner.AppendAsync(records, cancellationToken);

        public IAsyncEnumerable<InteractionLogRecord> ReadAsync(long afterSequence, CancellationToken cancellationToken = default)
        {
            Reads++;
            return _inner.ReadAsync(afterSequence, cancellationToken);
        }

        public Task<long> GetHeadAsync(CancellationToken cancellationToken = default) => _inner.GetHeadAsync(cancellationToken);
    }
}
