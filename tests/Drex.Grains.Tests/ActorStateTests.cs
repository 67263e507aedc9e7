using System.Runtime.InteropServices;
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
        Assert.Equal(RecentWindow.Capacity, window.Size);
    }

    [Fact]
    public void RecentWindow_OfAQuietActor_StaysSmall()
    {
        var window = new RecentWindow();
        for (var k = 0; k < 9; k++)
        {
            window.Add($"x-{k}");
        }

        Assert.Equal(16, window.Size);
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

        // 1,024 hashed ids + predictions (12 KiB) and ~6 bytes per pending interaction, whatever the reviews' length.
        Assert.True(size < 50_000, $"{size} bytes");
        Assert.Equal(5_000, restored.Pending.Count);
        Assert.True(restored.Recent.Find("interaction-000000004999") >= 0);
    }

    [Fact]
    public void PendingLog_RoundTripsThroughStorageAndCopies_InTheOrderApplied()
    {
        // Sequences out of order (two ingest calls racing), far apart, rated and not, with and without reviews.
        PendingInteraction[] entries =
        [
            new(7, 4.5f, HasReview: true), new(5, null, HasReview: true), new(1L << 40, 1f, HasReview: false),
            new(9, 0.5f, HasReview: false), new(9_000_000_000L, null, HasReview: false), new(0, 3f, HasReview: true),
        ];
        var state = new ActorState();
        Array.ForEach(entries, e => state.Pending.Add(e));
        var services = Services();

        var restored = services.GetRequiredService<Serializer>().Deserialize<ActorState>(services.GetRequiredService<Serializer>().SerializeToArray(state))!;
        var copied = services.GetRequiredService<DeepCopier>().Copy(state);
        copied.Pending.Add(new PendingInteraction(11, 2f, HasReview: false));

        Assert.Equal(entries, restored.Pending.Entries());
        Assert.Equal(entries, state.Pending.Entries());
        Assert.Equal([.. entries, new(11, 2f, HasReview: false)], copied.Pending.Entries());
    }

    [Fact]
    public void PendingLog_RemoveThrough_DropsWhatTheSnapshotCovers_AndKeepsTheRestInOrder()
    {
        var log = new PendingLog();
        foreach (var sequence in new long[] { 10, 3, 12, 8, 15 })
        {
            log.Add(new PendingInteraction(sequence, sequence, HasReview: sequence % 2 == 0));
        }

        log.RemoveThrough(9);
        log.Add(new PendingInteraction(16, null, HasReview: true));

        Assert.Equal([10L, 12, 15, 16], log.Entries().Select(p => p.Sequence));
        Assert.Equal([10f, 12f, 15f, null], log.Entries().Select(p => p.Rating));
        Assert.Equal(4, log.Count);
    }

    [Fact]
    public void PendingLog_Contains_FollowsAddsRemovalsAndCopies()
    {
        var log = new PendingLog();
        log.Add(new PendingInteraction(4, null, HasReview: false));
        Assert.True(log.Contains(4));
        log.Add(new PendingInteraction(9, 1f, HasReview: false));
        Assert.True(log.Contains(9));

        log.RemoveThrough(5);
        var restored = new PendingLog { Packed = log.Packed, Count = log.Count, LastSequence = log.LastSequence, Compact = log.Compact };

        Assert.False(log.Contains(4));
        Assert.True(log.Contains(9));
        Assert.False(restored.Contains(4));
        Assert.True(restored.Contains(9));
    }

    [Fact]
    public void PendingLog_TakesAFewBytesAnEntry()
    {
        var log = new PendingLog();
        for (var k = 0; k < 5_000; k++)
        {
            log.Add(new PendingInteraction(1_000_000 + (k * 37), 4, HasReview: k % 3 == 0));
        }

        // Entries 37 apart: a 2-byte varint (difference and flags), a rating byte.
        Assert.Equal((5_000 * 3) + 2, log.Packed.Length); // the first entry's difference is 1,000,000

        // A hot actor's: a few sequences apart, ratings in half steps: 2 bytes. A rating off the half steps: 6.
        var hot = new PendingLog();
        for (var k = 0; k < 5_000; k++)
        {
            hot.Add(new PendingInteraction(2_000_000 + (k * 7), 0.5f + (k % 10 / 2f), HasReview: false));
        }

        Assert.Equal((5_000 * 2) + 3, hot.Packed.Length); // the first entry's difference is 2,000,000
        hot.Add(new PendingInteraction(2_040_000, 3.3f, HasReview: true));
        Assert.Equal((5_000 * 2) + 3 + 3 + 5, hot.Packed.Length);
        Assert.Equal(3.3f, hot.Entries()[^1].Rating);
        Assert.Equal(5f, hot.Entries()[9].Rating);
    }

    [Fact]
    public void PendingLog_PastItsByteBound_DropsItsOldestQuarter_AndKeepsTheRestInOrder()
    {
        // 2 bytes an entry (3 apart, a whole rating): the bound is crossed by entry MaxBytes / 2 + 1.
        var log = new PendingLog();
        var added = (PendingLog.MaxBytes / 2) + 1;
        var drops = Enumerable.Range(1, added).Select(k => log.Add(new PendingInteraction(3L * k, 4f, HasReview: k % 2 == 0))).ToArray();
        var sequence = 3L * added;

        Assert.All(drops[..^1], d => Assert.Equal(0, d));
        var dropped = drops[^1];
        Assert.Equal(added / 4, dropped);
        Assert.True(log.Packed.Length <= PendingLog.MaxBytes);
        var entries = log.Entries();
        Assert.Equal(added - dropped, entries.Count);
        Assert.Equal(added - dropped, log.Count);
        Assert.Equal(3L * (dropped + 1), entries[0].Sequence);
        Assert.Equal(new PendingInteraction(sequence, 4f, HasReview: added % 2 == 0), entries[^1]);
        Assert.False(log.Contains(3L * dropped));
        Assert.True(log.Contains(3L * (dropped + 1)));

        // It reads back as stored, and takes further entries without dropping again.
        var restored = new PendingLog { Packed = log.Packed, Count = log.Count, LastSequence = log.LastSequence, Compact = log.Compact };
        Assert.Equal(entries, restored.Entries());
        Assert.Equal(0, restored.Add(new PendingInteraction(sequence + 3, 2f, HasReview: false)));
        Assert.Equal(sequence + 3, restored.Entries()[^1].Sequence);
    }

    [Fact]
    public void PendingLog_InTheFirstForm_IsReadAndRecodedWhenAddedTo()
    {
        // (5, 4.5, review), (3, none), (300, 1): varint zigzag difference, flags byte, float32 rating.
        byte[] first = [0x0A, 3, .. BitConverter.GetBytes(4.5f), 0x03, 0, 0xD2, 0x04, 2, .. BitConverter.GetBytes(1f)];
        var log = new PendingLog { Packed = first, Count = 3, LastSequence = 300 };
        PendingInteraction[] entries = [new(5, 4.5f, HasReview: true), new(3, null, HasReview: false), new(300, 1f, HasReview: false)];

        Assert.Equal(entries, log.Entries());
        Assert.True(log.Contains(3));

        log.Add(new PendingInteraction(301, 2f, HasReview: true));

        Assert.True(log.Compact);
        Assert.Equal([.. entries, new(301, 2f, HasReview: true)], log.Entries());
        Assert.True(log.Packed.Length < first.Length);
        Assert.Equal([new(300, 1f, HasReview: false), new(301, 2f, HasReview: true)], new PendingLog { Packed = first, Count = 3, LastSequence = 300 }.RemoveThrough(5).Concat([new(301, 2f, HasReview: true)]));
    }

    [Fact]
    public void PendingLog_WithTruncatedBytes_IsRefusedLoudly()
    {
        var log = new PendingLog();
        log.Add(new PendingInteraction(300, 4, HasReview: false));
        var cut = new PendingLog { Packed = log.Packed[..^2], Count = 1, LastSequence = 300, Compact = true };

        Assert.Throws<InvalidDataException>(cut.Entries);
    }

    [Fact]
    public void ActorState_WrittenWithTheListForm_KeepsItsPendingInteractions()
    {
        var old = new ActorState { LegacyPending = [new(4, 5f, HasReview: true), new(6, null, HasReview: true)] };
        var services = Services();
        var restored = services.GetRequiredService<Serializer>().Deserialize<ActorState>(services.GetRequiredService<Serializer>().SerializeToArray(old))!;
        restored.Pending.Add(new PendingInteraction(9, 1f, HasReview: false));

        restored.MigrateLegacy();

        Assert.Equal([new(4, 5f, HasReview: true), new(6, null, HasReview: true), new(9, 1f, HasReview: false)], restored.Pending.Entries());
        Assert.Empty(restored.LegacyPending);
    }

    [Fact]
    public void ActorState_WrittenWithNumberArrays_ReadsIntoThePackedForm()
    {
        // The form before packing: the state vector and the window as arrays of numbers (fields 1, and 0 and 1).
        var old = new ActorState { LegacyState = [0.5f, -2f, 3f] };
        old.Recent.LegacyIds = [11, 22, 33];
        old.Recent.LegacyPredictions = [4.5f, float.NaN, 1f];
        old.Recent.Added = 3;
        var services = Services();
        var serializer = services.GetRequiredService<Serializer>();

        var restored = serializer.Deserialize<ActorState>(serializer.SerializeToArray(old))!;
        restored.MigrateLegacy();

        Assert.Equal([0.5f, -2f, 3f], restored.State);
        Assert.Null(restored.LegacyState);
        var packed = new byte[3 * 12];
        MemoryMarshal.AsBytes<long>([11, 22, 33]).CopyTo(packed);
        MemoryMarshal.AsBytes<float>([4.5f, float.NaN, 1f]).CopyTo(packed.AsSpan(3 * 8));
        Assert.Equal(packed, restored.Recent.Packed.ToArray());
        Assert.Equal(4.5f, restored.Recent.PredictionAt(0));
        Assert.Null(restored.Recent.PredictionAt(1));
        Assert.Null(restored.Recent.LegacyIds);

        // Written again, it takes the packed form only, and reads back the same.
        var again = serializer.Deserialize<ActorState>(serializer.SerializeToArray(restored))!;
        Assert.Equal(restored.State, again.State);
        Assert.Equal(packed, again.Recent.Packed.ToArray());
        Assert.Equal(1f, again.Recent.PredictionAt(2));
    }

    [Fact]
    public void CounterpartSet_RoundTrips_InTheOrderAdded_WithoutDuplicates()
    {
        var serializer = Services().GetRequiredService<Serializer>();
        var state = new ActorState();
        string[] ids = ["i1", "guitar strings é", "i1", "x", "日本", "x"];
        var added = ids.Select(state.Counterparts.Add).ToArray();

        var restored = serializer.Deserialize<ActorState>(serializer.SerializeToArray(state))!;

        Assert.Equal([true, true, false, true, true, false], added);
        Assert.Equal(["i1", "guitar strings é", "x", "日本"], restored.Counterparts.ToArray());
        Assert.True(restored.Counterparts.Contains("日本"));
        Assert.False(restored.Counterparts.Contains("i2"));
        Assert.False(restored.Counterparts.Add("x"));
        Assert.True(restored.Counterparts.Add("i2"));
        Assert.Equal(5, restored.Counterparts.Count);
        Assert.Throws<ArgumentException>(() => state.Counterparts.Add("a\nb"));
        Assert.Throws<InvalidDataException>(() => new CounterpartSet { Packed = "i1\ni"u8.ToArray() });
    }

    [Fact]
    public void ActorState_WrittenWithASetOfStrings_KeepsItsCounterparts()
    {
        var serializer = Services().GetRequiredService<Serializer>();
        var old = new ActorState { LegacyCounterparts = new(StringComparer.Ordinal) { "a", "b" } };

        var restored = serializer.Deserialize<ActorState>(serializer.SerializeToArray(old))!;
        restored.MigrateLegacy();

        Assert.Equal(["a", "b"], restored.Counterparts.ToArray().Order());
        Assert.Null(restored.LegacyCounterparts);
    }

    [Fact]
    public void ActorState_WithAPackedFieldOfTheWrongLength_IsRefusedLoudly()
    {
        var serializer = Services().GetRequiredService<Serializer>();
        var state = new ActorState { State = [1f, 2f] };
        state.Recent.Add("x");

        Assert.Throws<InvalidDataException>(() => new ActorState { PackedState = new byte[7] });
        Assert.Throws<InvalidDataException>(() => new RecentWindow { Packed = new byte[13] });
        Assert.Equal(state.State, serializer.Deserialize<ActorState>(serializer.SerializeToArray(state))!.State);
    }

    private static ServiceProvider Services() =>
        new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(ActorState).Assembly)).BuildServiceProvider();

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
