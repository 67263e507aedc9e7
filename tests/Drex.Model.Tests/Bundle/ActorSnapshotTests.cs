using Drex.Model.Bundle;
using Drex.Model.Keywords;

namespace Drex.Model.Tests.Bundle;

public sealed class ActorSnapshotTests
{
    private const int Hidden = 4;

    [Fact]
    public void WriteThenRead_GivesBackEveryActor_FieldByField()
    {
        var snapshot = Sample();

        var read = ActorSnapshot.Read(Bytes(snapshot));

        Assert.Equal(snapshot.UserInitial, read.UserInitial);
        Assert.Equal(snapshot.ItemInitial, read.ItemInitial);
        AssertSame(snapshot.Users, read.Users);
        AssertSame(snapshot.Items, read.Items);
    }

    [Fact]
    public void Map_ReadsTheFileInPlace_UntilItsBytesAreDisposed()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Bytes(Sample()));
            var bytes = SnapshotBytes.Map(path);

            var read = ActorSnapshot.Read(bytes);

            AssertSame(Sample().Users, read.Users);
            AssertSame(Sample().Items, read.Items);
            Assert.Equal(Bytes(Sample()), Bytes(read));
            bytes.Dispose();
            Assert.Throws<ObjectDisposedException>(() => read.Items.Find("item-a"));
            Assert.Throws<ObjectDisposedException>(() => read.Items.State(0));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Map_AnEmptyFile_IsInvalidData()
    {
        var path = Path.GetTempFileName();
        try
        {
            Assert.Throws<InvalidDataException>(() => SnapshotBytes.Map(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ReadAsync_FromAStreamThatTricklesBytes_ReadsWhatReadDoes()
    {
        var bytes = Bytes(Sample());

        var read = await ActorSnapshot.ReadAsync(new TrickleStream(bytes, seed: 3), bytes.Length);

        Assert.Equal(ActorSnapshot.Read(bytes).UserInitial, read.UserInitial);
        AssertSame(ActorSnapshot.Read(bytes).Users, read.Users);
        AssertSame(ActorSnapshot.Read(bytes).Items, read.Items);
    }

    [Fact]
    public async Task ReadAsync_AnActorLargerThanTheReadBuffer_IsReadWhole()
    {
        var keywords = Enumerable.Range(0, 90_000).Select(k => new KeywordWeight($"word-{k:D20}", k)).ToArray();
        var snapshot = new ActorSnapshot
        {
            UserInitial = State(0),
            ItemInitial = State(1),
            Users = [new ActorRecord("wordy", State(2), 0, 1, 1, keywords), new ActorRecord("after", State(3), 1, 2, 1, [])],
            Items = [],
        };
        var bytes = Bytes(snapshot);
        Assert.True(bytes.Length > 1 << 21);

        var read = await ActorSnapshot.ReadAsync(new MemoryStream(bytes), bytes.Length);

        AssertSame(snapshot.Users, read.Users);
    }

    [Fact]
    public async Task ReadAsync_AGarbledLengthPrefix_StopsAtTheAnnouncedLength()
    {
        var header = Bytes(Solo())[..(8 + 12 + (2 * Hidden * 4))];
        byte[] bytes = [.. header, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, .. new byte[3 << 20]]; // an id of 2 GiB

        await Assert.ThrowsAsync<InvalidDataException>(() => ActorSnapshot.ReadAsync(new MemoryStream(bytes), bytes.Length));
    }

    [Fact]
    public async Task ReadAsync_TruncatedOrWithTrailingBytes_IsInvalidData()
    {
        var bytes = Bytes(Sample());

        await Assert.ThrowsAsync<InvalidDataException>(() => ActorSnapshot.ReadAsync(new TrickleStream(bytes[..^1], seed: 1), bytes.Length));
        await Assert.ThrowsAsync<InvalidDataException>(() => ActorSnapshot.ReadAsync(new TrickleStream([.. bytes, 7], seed: 2), bytes.Length + 1));
    }

    [Fact]
    public void Read_EveryTruncation_IsInvalidData()
    {
        var bytes = Bytes(Sample());

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => ActorSnapshot.Read(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Read_RandomlyCorruptedBytes_IsInvalidDataOrReadsBackWithinItsBytes()
    {
        // Snapshots are read in place with pointers: whatever a corrupt file holds, parsing must refuse it or leave
        // rows that every accessor reads within bounds (an access outside them would crash the test process).
        var original = Bytes(Sample());
        var random = new Random(11);
        var (refused, read) = (0, 0);
        for (var n = 0; n < 5000; n++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            ActorSnapshot snapshot;
            try
            {
                snapshot = ActorSnapshot.Read(bytes.AsSpan(0, random.Next(bytes.Length / 2, bytes.Length + 1)));
            }
            catch (InvalidDataException)
            {
                refused++;
                continue;
            }

            read++;
            foreach (var actors in new[] { snapshot.Users, snapshot.Items })
            {
                for (var row = 0; row < actors.Count; row++)
                {
                    var record = actors[row];
                    Assert.Equal(actors.Hidden, record.State.Length);
                    Assert.True(actors.Find(record.Id) is var found && (found == row || found == -1)); // -1: an id of invalid UTF-8
                }
            }
        }

        Assert.True(refused > 0 && read > 0, $"{refused} refused, {read} read");
    }

    [Fact]
    public void Read_TrailingBytes_IsInvalidData()
    {
        var e = Assert.Throws<InvalidDataException>(() => ActorSnapshot.Read([.. Bytes(Sample()), 0]));

        Assert.Contains("trailing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AHeaderAnnouncingMoreActorsThanTheBytesHold_IsRefusedBeforeAllocating()
    {
        var bytes = Bytes(Sample());
        BitConverter.GetBytes(int.MaxValue).CopyTo(bytes, 16); // the item count

        var e = Assert.Throws<InvalidDataException>(() => ActorSnapshot.Read(bytes));

        Assert.Contains("header announces", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ANegativeKeywordCount_IsInvalidDataNamingTheActor()
    {
        var bytes = Bytes(Solo());
        BitConverter.GetBytes(-1).CopyTo(bytes, bytes.Length - 4); // the last field: solo's keyword count

        var e = Assert.Throws<InvalidDataException>(() => ActorSnapshot.Read(bytes));

        Assert.Contains("'solo'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AStringLengthOfMoreThanFiveBytes_IsInvalidData()
    {
        var bytes = Bytes(Solo());
        var idAt = 8 + 12 + (2 * Hidden * 4);
        byte[] malformed = [.. bytes[..idAt], 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, .. bytes[idAt..]];

        Assert.Throws<InvalidDataException>(() => ActorSnapshot.Read(malformed));
    }

    [Fact]
    public void Find_And_Get_LocateActorsByIdAndHandOutCopies()
    {
        var read = ActorSnapshot.Read(Bytes(Sample()));

        var row = read.Items.Find("item-b");
        var record = read.Items.Get("item-b")!;
        record.State[0] = 99f;

        Assert.Equal("item-b", read.Items.Id(row));
        Assert.NotEqual(99f, read.Items.State(row)[0]);
        Assert.Equal(-1, read.Items.Find("nobody"));
        Assert.Null(read.Users.Get("item-b"));
    }

    [Fact]
    public void Find_LocatesEveryOneOfManyActors()
    {
        var ids = Enumerable.Range(0, 5000).Select(n => n % 7 == 0 ? $"ütem-{n}" : $"item-{n}").ToArray();
        var items = ActorColumns.Create([.. ids.Select((id, n) => new ActorRecord(id, State(n), n, n, n / 2, []))]);

        Assert.Equal(Enumerable.Range(0, ids.Length), ids.Select(items.Find));
        Assert.Equal(ids, Enumerable.Range(0, ids.Length).Select(items.Id));
        Assert.Equal(-1, items.Find("item-5000"));
        Assert.Equal(-1, items.Find(""));
        Assert.Equal(State(4321), items.State(4321));
        Assert.Equal(4321, items.Interactions(4321));
    }

    [Fact]
    public void Create_AnIdTwice_IsInvalidDataNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(
            () => ActorColumns.Create([new ActorRecord("twin", State(1), 0, 1, 1, []), new ActorRecord("twin", State(2), 0, 1, 1, [])]));

        Assert.Contains("'twin'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_StatesOfDifferentWidths_Throws()
    {
        Assert.Throws<ArgumentException>(() => ActorColumns.Create([new ActorRecord("a", State(1), 0, 1, 1, []), new ActorRecord("b", [1f], 0, 1, 1, [])]));
    }

    [Fact]
    public void Write_ActorsOfAnotherWidthThanTheInitialStates_IsInvalidData()
    {
        var snapshot = new ActorSnapshot { UserInitial = State(0), ItemInitial = State(1), Users = [], Items = [new ActorRecord("narrow", [1f, 2f], 0, 1, 0, [])] };

        var e = Assert.Throws<InvalidDataException>(() => Bytes(snapshot));

        Assert.Contains("'narrow'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ASnapshotWithoutRatingCounts_GivesEveryActorWithoutOne_AndWritesItBackAsItWas()
    {
        var sample = Sample();
        var legacy = WithoutRatings(sample);

        var read = ActorSnapshot.Read(legacy);

        Assert.False(read.Users.HasRatings);
        Assert.Equal(sample.UserInitial, read.UserInitial);
        AssertSame([.. sample.Users.Select(r => r with { Ratings = null })], read.Users);
        AssertSame([.. sample.Items.Select(r => r with { Ratings = null })], read.Items);
        Assert.Null(read.Items.Get("item-b")!.Ratings);
        Assert.Equal(legacy, Bytes(read));
        Assert.Equal("DRXSNAP2"u8.ToArray(), Bytes(sample)[..8]);
    }

    [Fact]
    public void Write_UsersWithoutRatingCountsBesideItemsWithThem_IsRefused()
    {
        var legacy = ActorSnapshot.Read(WithoutRatings(Sample()));
        var mixed = new ActorSnapshot { UserInitial = State(0), ItemInitial = State(1), Users = legacy.Users, Items = Sample().Items };

        Assert.Throws<InvalidDataException>(() => Bytes(mixed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(-1)]
    [InlineData(3)]
    public void Create_ARecordWithoutAPossibleRatingCount_IsRefused(int? ratings)
    {
        var e = Assert.Throws<ArgumentException>(() => ActorColumns.Create([new ActorRecord("odd", State(1), 0, 2, ratings, [])]));

        Assert.Contains("'odd'", e.Message);
    }

    private static ActorSnapshot Sample()
    {
        var longWord = new string('x', 300) + "é";
        return new ActorSnapshot
        {
            UserInitial = State(0),
            ItemInitial = State(1),
            Users =
            [
                new ActorRecord("user-α", State(2), 0.25f, 7, 5, [new KeywordWeight("tone", 0.9f), new KeywordWeight("ström", 0.4f)]),
                new ActorRecord("user-2", State(3), -0.5f, 0, 0, []),
            ],
            Items =
            [
                new ActorRecord("item-a", State(4), 1.5f, 3, 3, [new KeywordWeight("tone", 0.2f)]),
                new ActorRecord("item-b", State(5), 0f, 1, 0, [new KeywordWeight(longWord, 1f), new KeywordWeight("tone", 0.1f)]),
                new ActorRecord("item-c", State(6), 0.1f, 2, 1, []),
            ],
        };
    }

    /// <summary>One user with no keywords (its record ends the snapshot), no items.</summary>
    private static ActorSnapshot Solo() =>
        new ActorSnapshot { UserInitial = State(0), ItemInitial = State(1), Users = [new ActorRecord("solo", State(2), 0, 1, 1, [])], Items = [] };

    private static float[] State(int seed) => [.. Enumerable.Range(0, Hidden).Select(k => (seed * 10) + k + 0.5f)];

    private static byte[] Bytes(ActorSnapshot snapshot)
    {
        using var stream = new MemoryStream();
        snapshot.Write(stream);
        return stream.ToArray();
    }

    /// <summary>The snapshot as DRXSNAP1 wrote it: the same records, each without its rating count.</summary>
    private static byte[] WithoutRatings(ActorSnapshot snapshot)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write("DRXSNAP1"u8);
            w.Write(snapshot.HiddenDim);
            w.Write(snapshot.Users.Count);
            w.Write(snapshot.Items.Count);
            foreach (var x in (float[])[.. snapshot.UserInitial, .. snapshot.ItemInitial])
            {
                w.Write(x);
            }

            foreach (var record in snapshot.Users.Concat(snapshot.Items))
            {
                w.Write(record.Id);
                w.Write(record.Bias);
                w.Write(record.Count);
                foreach (var x in record.State)
                {
                    w.Write(x);
                }

                w.Write(record.Keywords.Length);
                foreach (var k in record.Keywords)
                {
                    w.Write(k.Word);
                    w.Write(k.Weight);
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>Hands out its bytes a few at a time, as a network stream might.</summary>
    private sealed class TrickleStream(byte[] bytes, int seed) : MemoryStream(bytes, writable: false)
    {
        private readonly Random _random = new(seed);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, _random.Next(1, 9))], cancellationToken);
    }

    private static void AssertSame(IReadOnlyList<ActorRecord> expected, ActorColumns actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var row = 0; row < expected.Count; row++)
        {
            var (e, a) = (expected[row], actual[row]);
            Assert.Equal(e.Id, a.Id);
            Assert.Equal(e.State, a.State);
            Assert.Equal(e.Bias, a.Bias);
            Assert.Equal(e.Count, a.Count);
            Assert.Equal(e.Ratings, a.Ratings);
            Assert.Equal(e.Keywords, a.Keywords);
        }
    }
}
