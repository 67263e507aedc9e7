using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Drex.Model.Keywords;

namespace Drex.Model.Bundle;

/// <summary>What <see cref="ActorColumns.VisitIds"/> calls with each row's id.</summary>
public delegate void IdVisitor(int row, ReadOnlySpan<byte> utf8Id);

/// <summary>
/// The state of one user or item at the bundle's training watermark: <paramref name="Count"/> interactions, of which
/// <paramref name="Ratings"/> were rated (null when the snapshot does not say: one written as DRXSNAP1).
/// </summary>
public sealed record ActorRecord(string Id, float[] State, float Bias, int Count, int? Ratings, KeywordWeight[] Keywords);

/// <summary>
/// The users or the items of a snapshot, read where they lie in the snapshot file's bytes (<see cref="SnapshotBytes"/>):
/// each row is the file's record of one actor (id, bias, interaction count, rating count, state, keywords; a DRXSNAP1
/// row has no rating count), found through an array of row offsets and an open-addressing index of the ids. A
/// million items cost those two arrays (16 MB), not a
/// managed copy of every state, id and keyword. Reads copy values out (<see cref="CopyState"/>, <see cref="Id"/>,
/// <see cref="Keywords"/>); indexing, enumerating and <see cref="Get"/> hand out <see cref="ActorRecord"/> copies.
/// Immutable, and safe to read from any thread.
/// </summary>
[CollectionBuilder(typeof(ActorColumns), nameof(Create))]
public sealed unsafe class ActorColumns : IReadOnlyList<ActorRecord>
{
    /// <summary>The most keywords one actor's record may hold.</summary>
    public const int MaxKeywords = 100_000;

    private readonly SnapshotBytes _bytes;
    // Row r is _bytes[_offsets[r].._offsets[r + 1]].
    private readonly long[] _offsets;
    // Row + 1 at the first free slot probed from an id's hash (0: empty); a power of two, at least twice the rows.
    private readonly int[] _index;
    // Bytes between a row's id and its state: bias and interaction count, and the rating count where rows hold one.
    private readonly int _fields;

    private ActorColumns(SnapshotBytes bytes, int hidden, bool ratings, long[] offsets, int[] index)
    {
        _bytes = bytes;
        Hidden = hidden;
        HasRatings = ratings;
        _fields = FieldBytes(ratings);
        _offsets = offsets;
        _index = index;
    }

    /// <summary>Values per state (0 for an empty set built from records: it takes any width).</summary>
    public int Hidden { get; }

    public int Count => _offsets.Length - 1;

    /// <summary>Whether the rows hold a rating count (DRXSNAP2; every set built from records does).</summary>
    public bool HasRatings { get; }

    /// <summary>Where the rows' bytes start and end in the snapshot's bytes.</summary>
    internal (long Start, long End) Extent => (_offsets[0], _offsets[^1]);

    internal SnapshotBytes Bytes => _bytes;

    public ActorRecord this[int row] => new(Id(row), State(row), Bias(row), Interactions(row), Ratings(row), Keywords(row));

    public string Id(int row)
    {
        using var pin = Pin(row, out var at);
        return Encoding.UTF8.GetString(Utf8(ref at));
    }

    public float Bias(int row)
    {
        using var pin = PinFields(row, out var at);
        return BinaryPrimitives.ReadSingleLittleEndian(new ReadOnlySpan<byte>(at, 4));
    }

    /// <summary>How many interactions the actor's state had seen at the snapshot.</summary>
    public int Interactions(int row)
    {
        using var pin = PinFields(row, out var at);
        return BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(at + 4, 4));
    }

    /// <summary>How many of those interactions were rated; null where the rows do not say (<see cref="HasRatings"/>).</summary>
    public int? Ratings(int row)
    {
        if (!HasRatings)
        {
            return null;
        }

        using var pin = PinFields(row, out var at);
        return BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(at + 8, 4));
    }

    /// <summary>Copies the actor's state into <paramref name="destination"/> (<see cref="Hidden"/> values).</summary>
    public void CopyState(int row, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Hidden, nameof(destination));
        using var pin = PinFields(row, out var at);
        CopyFloats(new ReadOnlySpan<byte>(at + _fields, Hidden * sizeof(float)), destination[..Hidden]);
    }

    /// <summary>A copy of the actor's state.</summary>
    public float[] State(int row)
    {
        var state = new float[Hidden];
        CopyState(row, state);
        return state;
    }

    public KeywordWeight[] Keywords(int row)
    {
        using var pin = PinFields(row, out var at);
        at += _fields + (Hidden * sizeof(float));
        var keywords = new KeywordWeight[BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(at, 4))];
        at += 4;
        for (var k = 0; k < keywords.Length; k++)
        {
            var word = Encoding.UTF8.GetString(Utf8(ref at));
            keywords[k] = new KeywordWeight(word, BinaryPrimitives.ReadSingleLittleEndian(new ReadOnlySpan<byte>(at, 4)));
            at += 4;
        }

        return keywords;
    }

    /// <summary>The row of an actor, or -1.</summary>
    public int Find(string id)
    {
        var length = Encoding.UTF8.GetByteCount(id);
        byte[]? rented = null;
        var utf8 = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            utf8 = utf8[..Encoding.UTF8.GetBytes(id, utf8)];
            using var pin = _bytes.Pin();
            var mask = _index.Length - 1;
            for (var slot = Hash(utf8) & mask; _index[slot] != 0; slot = (slot + 1) & mask)
            {
                var row = _index[slot] - 1;
                var at = pin.Pointer + _offsets[row];
                if (Utf8(ref at).SequenceEqual(utf8))
                {
                    return row;
                }
            }

            return -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Calls <paramref name="visit"/> with every row's id as UTF-8, in row order, without making strings.</summary>
    public void VisitIds(IdVisitor visit)
    {
        using var pin = _bytes.Pin();
        for (var row = 0; row < Count; row++)
        {
            var at = pin.Pointer + _offsets[row];
            visit(row, Utf8(ref at));
        }
    }

    /// <summary>A copy of the actor's record, or null when this set does not hold it.</summary>
    public ActorRecord? Get(string id) => Find(id) is var row and >= 0 ? this[row] : null;

    public IEnumerator<ActorRecord> GetEnumerator()
    {
        for (var row = 0; row < Count; row++)
        {
            yield return this[row];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Columns from records (what collection expressions call); every state must be as wide as the first.</summary>
    public static ActorColumns Create(ReadOnlySpan<ActorRecord> records)
    {
        var hidden = records.IsEmpty ? 0 : records[0].State.Length;
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            foreach (var record in records)
            {
                if (record.State.Length != hidden)
                {
                    throw new ArgumentException($"Actor '{record.Id}' has a state of {record.State.Length} values, not {hidden}.", nameof(records));
                }

                if (record.Ratings is not { } ratings || ratings < 0 || ratings > record.Count)
                {
                    throw new ArgumentException(
                        $"Actor '{record.Id}' needs a rating count from 0 to its {record.Count} interactions, not {record.Ratings?.ToString() ?? "none"}.",
                        nameof(records));
                }

                writer.Write(record.Id);
                writer.Write(record.Bias);
                writer.Write(record.Count);
                writer.Write(ratings);
                foreach (var x in record.State)
                {
                    writer.Write(x);
                }

                writer.Write(record.Keywords.Length);
                foreach (var k in record.Keywords)
                {
                    writer.Write(k.Word);
                    writer.Write(k.Weight);
                }
            }
        }

        var bytes = SnapshotBytes.Copy(stream.GetBuffer().AsSpan(0, (int)stream.Length));
        var end = 0L;
        return Read(bytes, ref end, records.Length, hidden, ratings: true);
    }

    /// <summary>
    /// Reads <paramref name="count"/> rows of <paramref name="hidden"/>-value states starting at <paramref name="position"/>
    /// and moves it past them: every row is checked to lie whole within the bytes, and every id to be unique.
    /// <paramref name="ratings"/>: whether the rows hold a rating count.
    /// </summary>
    internal static ActorColumns Read(SnapshotBytes bytes, ref long position, int count, int hidden, bool ratings)
    {
        var offsets = new long[count + 1];
        var index = new int[Math.Max(16, (int)Math.Min(1 << 30, 2L * BitOperations.RoundUpToPowerOf2((uint)count)))];
        var mask = index.Length - 1;
        using (var pin = bytes.Pin())
        {
            var reader = new RowReader(pin.Pointer, position, bytes.Length);
            for (var row = 0; row < count; row++)
            {
                offsets[row] = reader.Position;
                var id = reader.String();
                reader.Skip(FieldBytes(ratings) + (4L * hidden));
                var keywords = reader.Int32();
                if (keywords is < 0 or > MaxKeywords)
                {
                    throw new InvalidDataException($"Actor '{Encoding.UTF8.GetString(id)}' has an invalid keyword count {keywords}.");
                }

                for (var k = 0; k < keywords; k++)
                {
                    reader.String();
                    reader.Skip(4);
                }

                var slot = Hash(id) & mask;
                for (; index[slot] != 0; slot = (slot + 1) & mask)
                {
                    var other = pin.Pointer + offsets[index[slot] - 1];
                    if (Utf8(ref other).SequenceEqual(id))
                    {
                        throw new InvalidDataException($"Actor '{Encoding.UTF8.GetString(id)}' appears twice in the snapshot.");
                    }
                }

                index[slot] = row + 1;
            }

            position = offsets[count] = reader.Position;
        }

        return new ActorColumns(bytes, hidden, ratings, offsets, index);
    }

    /// <summary>The bytes between a row's id and its state.</summary>
    internal static int FieldBytes(bool ratings) => ratings ? 12 : 8;

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        return hash.ToHashCode() & int.MaxValue;
    }

    /// <summary>Pins the bytes and points <paramref name="at"/> to the start of <paramref name="row"/>.</summary>
    private SnapshotBytes.Pinned Pin(int row, out byte* at)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        var pin = _bytes.Pin();
        at = pin.Pointer + _offsets[row];
        return pin;
    }

    /// <summary>Pins the bytes and points <paramref name="at"/> past <paramref name="row"/>'s id, at its bias, count, state and keywords.</summary>
    private SnapshotBytes.Pinned PinFields(int row, out byte* at)
    {
        var pin = Pin(row, out at);
        Utf8(ref at);
        return pin;
    }

    /// <summary>Reads a string's UTF-8 bytes at <paramref name="at"/> (of a row already checked whole) and moves past them.</summary>
    private static ReadOnlySpan<byte> Utf8(ref byte* at)
    {
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = *at++;
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        var utf8 = new ReadOnlySpan<byte>(at, length);
        at += length;
        return utf8;
    }

    internal static void CopyFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        source.CopyTo(MemoryMarshal.AsBytes(destination));
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<float, int>(destination);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    /// <summary>
    /// Reads what <see cref="BinaryWriter"/> wrote (little-endian numbers, 7-bit-length-prefixed UTF-8 strings) from
    /// unmanaged bytes, refusing any read past their end as a truncated snapshot.
    /// </summary>
    internal ref struct RowReader(byte* start, long position, long end)
    {
        public long Position { get; private set; } = position;

        public ReadOnlySpan<byte> Bytes(long count)
        {
            if (count > end - Position)
            {
                throw new InvalidDataException("The actor snapshot is truncated.");
            }

            var span = new ReadOnlySpan<byte>(start + Position, (int)count);
            Position += count;
            return span;
        }

        public void Skip(long count)
        {
            if (count > end - Position)
            {
                throw new InvalidDataException("The actor snapshot is truncated.");
            }

            Position += count;
        }

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public ReadOnlySpan<byte> String()
        {
            // BinaryWriter's length prefix: 7 bits a byte, low groups first, at most 5 bytes.
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 28)
                {
                    throw new InvalidDataException("The actor snapshot holds a malformed string length.");
                }

                var b = Bytes(1)[0];
                length |= (b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            return length < 0
                ? throw new InvalidDataException("The actor snapshot holds a malformed string length.")
                : Bytes(length);
        }
    }
}
