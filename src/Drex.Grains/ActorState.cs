using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Drex.Contracts;

namespace Drex.Grains;

/// <summary>
/// An interaction an actor applied after its model's watermark: what rebasing replays. The review text is not kept
/// here (it would make every state write grow with it): rebasing reads it back from the interaction log by sequence.
/// </summary>
[GenerateSerializer, Immutable, Alias("drex.pending-interaction.v2")]
public readonly record struct PendingInteraction(
    [property: Id(0)] long Sequence,
    [property: Id(1)] float? Rating,
    [property: Id(2)] bool HasReview);

/// <summary>
/// The interactions an actor applied after its model's watermark, in the order applied, packed into one byte block.
/// Per entry: a varint of the zigzagged difference of its sequence from the previous entry's, shifted left by two
/// flag bits (1: has a review, 2: has a rating), then, when rated, one byte holding twice the rating (ratings in
/// half steps from 0 to 127) or 255 and the rating as a little-endian float32. A hot actor's entries are 2 bytes
/// each: its interactions are a few sequence numbers apart.
/// </summary>
/// <remarks>
/// A hot actor between two retrains holds thousands of these and its whole state is serialized after every batch it
/// applies, so their size is what a hot actor's writes cost. Blocks written in the first form (a varint difference, a
/// flags byte and always a float32 rating: 3-8 bytes an entry; <see cref="Compact"/> false) are read, and re-encoded
/// when the actor adds to them.
/// </remarks>
[GenerateSerializer, Alias("drex.pending-log")]
public sealed class PendingLog
{
    private const int ReviewFlag = 1;
    private const int RatingFlag = 2;
    private const byte WideRating = 255;

    [NonSerialized] private byte[] _bytes = [];
    [NonSerialized] private int _length;
    [NonSerialized] private HashSet<long>? _sequences;

    /// <summary>The packed entries, as stored.</summary>
    [Id(0)]
    public ReadOnlyMemory<byte> Packed
    {
        get => _bytes.AsMemory(0, _length);
        set
        {
            _bytes = value.ToArray();
            _length = _bytes.Length;
            _sequences = null;
        }
    }

    /// <summary>Number of entries.</summary>
    [Id(1)] public int Count { get; set; }

    /// <summary>The last entry's sequence (what the next entry's difference is taken from; 0 when empty).</summary>
    [Id(2)] public long LastSequence { get; set; }

    /// <summary>Whether <see cref="Packed"/> is in the compact form (false: the first form, or nothing added yet).</summary>
    [Id(3)] public bool Compact { get; set; }

    /// <summary>
    /// The most bytes the entries may take: past it, <see cref="Add"/> drops the oldest quarter. An actor that no model
    /// covers for long (the trainer stopped) would otherwise grow until its state no longer fits one storage entity (1
    /// MB in Azure Table storage), and every later write of it would fail.
    /// </summary>
    /// <remarks>
    /// What dropping costs: the next model replays only what is left, so an interaction dropped and not yet covered by
    /// that model's watermark is missing from this actor's state until a model covers it; and a retry of it is no
    /// longer known by its sequence. At 2 bytes an entry the bound holds 262,144 entries, more than the 200,000 recent
    /// ids the interaction log maps back to their first sequence (<c>InteractionLogGrain.RecentIds</c>), so no retry
    /// the log still recognises is lost that way while entries stay compact.
    /// </remarks>
    public const int MaxBytes = 512 * 1024;

    /// <summary>Adds an entry; returns how many of the oldest were dropped to stay within <see cref="MaxBytes"/> (nearly always 0).</summary>
    public int Add(PendingInteraction entry)
    {
        if (!Compact)
        {
            Recode(Count > 0 ? Entries() : []);
        }

        Append(entry);
        _sequences?.Add(entry.Sequence);
        if (_length <= MaxBytes)
        {
            return 0;
        }

        var entries = Entries();
        var dropped = Math.Max(1, entries.Count / 4);
        Recode(entries.GetRange(dropped, entries.Count - dropped));
        return dropped;
    }

    /// <summary>Whether an entry has this sequence number (an index built on first use, then kept current).</summary>
    public bool Contains(long sequence)
    {
        _sequences ??= [.. Entries().Select(p => p.Sequence)];
        return _sequences.Contains(sequence);
    }

    /// <summary>The entries in the order they were added.</summary>
    /// <exception cref="InvalidDataException">The packed bytes do not hold <see cref="Count"/> whole entries.</exception>
    public List<PendingInteraction> Entries()
    {
        var entries = new List<PendingInteraction>(Count);
        var bytes = _bytes.AsSpan(0, _length);
        var position = 0;
        var sequence = 0L;
        while (position < bytes.Length)
        {
            var head = ReadVarint(bytes, ref position);
            int flags;
            if (Compact)
            {
                flags = (int)(head & 3);
                head >>= 2;
            }
            else
            {
                flags = ReadByte(bytes, ref position);
            }

            sequence += (long)(head >> 1) ^ -(long)(head & 1);
            float? rating = null;
            if ((flags & RatingFlag) != 0)
            {
                // The first form always holds a float32; the compact one a byte of half steps, or 255 and a float32.
                var halves = Compact ? ReadByte(bytes, ref position) : WideRating;
                if (halves != WideRating)
                {
                    rating = halves / 2f;
                }
                else
                {
                    rating = position + 4 <= bytes.Length ? BinaryPrimitives.ReadSingleLittleEndian(bytes[position..]) : throw Corrupt();
                    position += 4;
                }
            }

            entries.Add(new PendingInteraction(sequence, rating, (flags & ReviewFlag) != 0));
        }

        return entries.Count == Count ? entries : throw Corrupt();
    }

    /// <summary>
    /// Drops the entries at or below <paramref name="watermark"/> (the model's snapshot covers them) and returns those
    /// kept, in order.
    /// </summary>
    public List<PendingInteraction> RemoveThrough(long watermark)
    {
        var kept = Entries();
        if (kept.RemoveAll(p => p.Sequence <= watermark) > 0 || !Compact)
        {
            Recode(kept);
        }

        return kept;
    }

    private void Recode(List<PendingInteraction> entries)
    {
        (_length, Count, LastSequence, _sequences, Compact) = (0, 0, 0, null, true);
        entries.ForEach(Append);
    }

    private void Append(PendingInteraction entry)
    {
        if (_bytes.Length - _length < 16)
        {
            Array.Resize(ref _bytes, Math.Max(64, (_bytes.Length * 2) + 16));
        }

        var delta = entry.Sequence - LastSequence;
        var zigzag = (ulong)((delta << 1) ^ (delta >> 63));
        if (zigzag >> 62 != 0)
        {
            // Sequences are log positions (non-negative longs); a difference this large cannot come from one.
            throw new ArgumentOutOfRangeException(nameof(entry), $"Sequence {entry.Sequence} is {delta} from the previous entry's.");
        }

        var head = (zigzag << 2) | (entry.HasReview ? ReviewFlag : 0u) | (entry.Rating is null ? 0u : RatingFlag);
        while (head >= 0x80)
        {
            _bytes[_length++] = (byte)(head | 0x80);
            head >>= 7;
        }

        _bytes[_length++] = (byte)head;
        if (entry.Rating is { } rating)
        {
            var doubled = rating * 2f;
            if (doubled is >= 0f and < WideRating && doubled == MathF.Floor(doubled))
            {
                _bytes[_length++] = (byte)doubled;
            }
            else
            {
                _bytes[_length++] = WideRating;
                BinaryPrimitives.WriteSingleLittleEndian(_bytes.AsSpan(_length), rating);
                _length += 4;
            }
        }

        LastSequence = entry.Sequence;
        Count++;
    }

    private byte ReadByte(ReadOnlySpan<byte> bytes, ref int position) => position < bytes.Length ? bytes[position++] : throw Corrupt();

    private ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= bytes.Length || shift > 63)
            {
                throw Corrupt();
            }

            var b = bytes[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private InvalidDataException Corrupt() => new($"The pending-interaction log is corrupt ({_length} bytes, {Count} entries expected).");
}

/// <summary>
/// The deduplication window: the last <see cref="Capacity"/> interaction ids an actor applied, as 64-bit hashes in a
/// ring, each with the prediction recorded for it (NaN until recorded). At most 12 KiB, however many interactions.
/// </summary>
/// <remarks>
/// Kept as the one byte block it is stored as (<see cref="Packed"/>: the ids as little-endian int64s, then their
/// predictions as little-endian float32s; <see cref="PackedNumbers"/> refuses a big-endian machine), read and written
/// in place. Orleans writes an array of numbers element by element, each with a field header, and a hot actor writes
/// its whole window after every batch it applies: packing it into a fresh block for each write was 17% of what the
/// silo allocated under rating-only ingestion.
/// </remarks>
[GenerateSerializer, Alias("drex.recent-window")]
public sealed class RecentWindow
{
    /// <summary>How many recent interaction ids each actor remembers.</summary>
    public const int Capacity = 1024;

    private const int EntryBytes = sizeof(long) + sizeof(float);

    [NonSerialized] private byte[] _packed = [];

    /// <summary>Slots in the ring: it grows by doubling up to <see cref="Capacity"/>, so a quiet actor's state stays small.</summary>
    public int Size => _packed.Length / EntryBytes;

    /// <summary>The ids (little-endian int64) then their predictions (little-endian float32), as stored.</summary>
    [Id(3)]
    public ReadOnlyMemory<byte> Packed
    {
        get => _packed;
        set => _packed = value.Length % EntryBytes == 0
            ? value.ToArray()
            : throw new InvalidDataException($"The stored recent-interaction window is {value.Length} bytes, not a whole number of {EntryBytes}-byte entries.");
    }

    /// <summary>The ids as states written before <see cref="Packed"/> kept them; moved into it once read.</summary>
    [Id(0)] public long[]? LegacyIds { get; set; }

    /// <summary>The predictions as states written before <see cref="Packed"/> kept them; moved into it once read.</summary>
    [Id(1)] public float[]? LegacyPredictions { get; set; }

    /// <summary>Ids added so far (the ring's next slot is <c>Added % Capacity</c>).</summary>
    [Id(2)] public long Added { get; set; }

    private Span<long> Ids => MemoryMarshal.Cast<byte, long>(_packed.AsSpan(0, Size * sizeof(long)));

    private Span<float> Predictions => MemoryMarshal.Cast<byte, float>(_packed.AsSpan(Size * sizeof(long)));

    /// <summary>The slot holding <paramref name="id"/>, or -1 when it is not in the window.</summary>
    public int Find(string id)
    {
        var count = (int)Math.Min(Added, Size);
        return count == 0 ? -1 : Ids[..count].IndexOf(Hash(id));
    }

    /// <summary>The prediction recorded in a slot, if any.</summary>
    public float? PredictionAt(int slot) => float.IsNaN(Predictions[slot]) ? null : Predictions[slot];

    public void Add(string id)
    {
        var slot = (int)(Added % Capacity);
        if (slot == Size)
        {
            Resize(Math.Min(Capacity, Math.Max(8, Size * 2)));
        }

        Ids[slot] = Hash(id);
        Predictions[slot] = float.NaN;
        Added++;
    }

    /// <summary>Moves a window stored as arrays of numbers into the packed form.</summary>
    public void MigrateLegacy()
    {
        if (LegacyIds is { } ids)
        {
            _packed = new byte[ids.Length * EntryBytes];
            ids.CopyTo(Ids);
            if (LegacyPredictions is { Length: var n } predictions && n == ids.Length)
            {
                predictions.CopyTo(Predictions);
            }
            else
            {
                Predictions.Fill(float.NaN);
            }

            (LegacyIds, LegacyPredictions) = (null, null);
        }
    }

    public void RecordPrediction(string id, float prediction)
    {
        if (Find(id) is var slot and >= 0)
        {
            Predictions[slot] = prediction;
        }
    }

    private void Resize(int size)
    {
        var ids = Ids;
        var predictions = Predictions;
        _packed = new byte[size * EntryBytes];
        ids.CopyTo(Ids);
        predictions.CopyTo(Predictions);
    }

    private static long Hash(string id) => (long)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));
}

/// <summary>
/// A set of ids (a user's items), stored as one block of UTF-8 ids, each ended by a newline (ids hold no control
/// characters), in the order added: one copy to write, where a set of strings costs a codec call and a reference
/// lookup per id on every write of the state.
/// </summary>
[GenerateSerializer, Alias("drex.counterpart-set")]
public sealed class CounterpartSet
{
    private const byte End = (byte)'\n';

    [NonSerialized] private HashSet<string> _ids = new(StringComparer.Ordinal);
    [NonSerialized] private List<string> _order = [];
    [NonSerialized] private byte[] _bytes = [];
    [NonSerialized] private int _length;

    /// <summary>The ids as stored.</summary>
    [Id(0)]
    public ReadOnlyMemory<byte> Packed
    {
        get => _bytes.AsMemory(0, _length);
        set
        {
            var bytes = value.Span;
            if (bytes.Length > 0 && bytes[^1] != End)
            {
                throw new InvalidDataException($"The stored set of ids ({bytes.Length} bytes) does not end with a whole id.");
            }

            var (ids, order) = (new HashSet<string>(StringComparer.Ordinal), new List<string>());
            foreach (var range in bytes.Split(End))
            {
                if (range.End.GetOffset(bytes.Length) > range.Start.GetOffset(bytes.Length)
                    && Encoding.UTF8.GetString(bytes[range]) is var id && ids.Add(id))
                {
                    order.Add(id);
                }
            }

            (_ids, _order, _bytes, _length) = (ids, order, value.ToArray(), bytes.Length);
        }
    }

    public int Count => _ids.Count;

    public bool Contains(string id) => _ids.Contains(id);

    /// <summary>Adds an id (it must hold no control character); false when the set has it already.</summary>
    public bool Add(string id)
    {
        if (id.Any(char.IsControl))
        {
            throw new ArgumentException($"Id '{id}' holds a control character.", nameof(id));
        }

        if (!_ids.Add(id))
        {
            return false;
        }

        _order.Add(id);
        var size = Encoding.UTF8.GetByteCount(id) + 1;
        if (_bytes.Length - _length < size)
        {
            Array.Resize(ref _bytes, Math.Max(_length + size, Math.Max(64, _bytes.Length * 2)));
        }

        _length += Encoding.UTF8.GetBytes(id, _bytes.AsSpan(_length));
        _bytes[_length++] = End;
        return true;
    }

    /// <summary>The ids in the order they were added.</summary>
    public string[] ToArray() => [.. _order];
}

/// <summary>The persistent state of a user or an item grain.</summary>
[GenerateSerializer, Alias("drex.actor-state.v2")]
public sealed class ActorState
{
    /// <summary>The model version <see cref="State"/> and <see cref="Bias"/> were computed under ("" before activation).</summary>
    [Id(0)] public string ModelVersion { get; set; } = "";

    [field: NonSerialized] public float[] State { get; set; } = [];

    /// <summary><see cref="State"/> as stored: little-endian float32s in one block (see <see cref="RecentWindow"/>).</summary>
    [Id(12)]
    public ReadOnlyMemory<byte> PackedState
    {
        get => PackedNumbers.Pack<float>(State);
        set => State = PackedNumbers.Unpack<float>(value.Span, "actor state");
    }

    /// <summary><see cref="State"/> as states written before <see cref="PackedState"/> kept it; moved into it once read.</summary>
    [Id(1)] public float[]? LegacyState { get; set; }


    [Id(2)] public float Bias { get; set; }

    /// <summary>Interactions applied, including those in the model's snapshot.</summary>
    [Id(3)] public int Interactions { get; set; }

    /// <summary>Of those, how many carried a rating.</summary>
    [Id(4)] public int Ratings { get; set; }

    /// <summary>The keyword profile, heaviest first, bounded.</summary>
    [Id(5)] public Keyword[] Keywords { get; set; } = [];

    [Id(6)] public RecentWindow Recent { get; set; } = new();

    /// <summary>Interactions after the model's watermark, in the order applied (replayed when rebasing).</summary>
    [Id(11)] public PendingLog Pending { get; set; } = new();

    /// <summary>
    /// Where states written before <see cref="PendingLog"/> kept the same entries as a list; read so no stored state
    /// loses them, and moved into <see cref="Pending"/> by <see cref="MigrateLegacy"/>. New states leave it empty.
    /// </summary>
    [Id(7)] public List<PendingInteraction> LegacyPending { get; set; } = [];

    /// <summary>
    /// Moves what states written in earlier forms hold into the current ones: the state vector and the id window as
    /// arrays of numbers into their packed forms, and pending entries of the list form into <see cref="Pending"/>, ahead
    /// of any it holds (they were applied first). Called when the actor activates, before anything reads the state.
    /// </summary>
    public void MigrateLegacy()
    {
        if (LegacyState is { } state)
        {
            (State, LegacyState) = (state, null);
        }

        Recent.MigrateLegacy();
        if (LegacyCounterparts is { } counterparts)
        {
            foreach (var id in counterparts)
            {
                Counterparts.Add(id);
            }

            LegacyCounterparts = null;
        }

        MigrateLegacyPending();
    }

    private void MigrateLegacyPending()
    {
        if (LegacyPending.Count == 0)
        {
            return;
        }

        var later = Pending.Entries();
        Pending = new PendingLog();
        foreach (var entry in LegacyPending.Concat(later))
        {
            Pending.Add(entry);
        }

        LegacyPending = [];
    }

    /// <summary>For users: the items interacted with (excluded from recommendations). Items keep none.</summary>
    [Id(13)] public CounterpartSet Counterparts { get; set; } = new();

    /// <summary><see cref="Counterparts"/> as states written before it was packed kept it; moved into it once read.</summary>
    [Id(8)] public HashSet<string>? LegacyCounterparts { get; set; }

    [Id(9)] public double ErrorSum { get; set; }

    [Id(10)] public int ErrorCount { get; set; }
}

/// <summary>Arrays of numbers as little-endian bytes, for state fields that would otherwise be written number by number.</summary>
internal static class PackedNumbers
{
    static PackedNumbers()
    {
        // The blocks are the numbers' memory as is: stored states would not read back on a big-endian machine.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Drex stores actor states as little-endian numbers.");
        }
    }

    public static byte[] Pack<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static T[] Unpack<T>(ReadOnlySpan<byte> bytes, string what)
        where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        return bytes.Length % size == 0
            ? MemoryMarshal.Cast<byte, T>(bytes).ToArray()
            : throw new InvalidDataException($"The stored {what} is {bytes.Length} bytes, not a whole number of {size}-byte values.");
    }
}
