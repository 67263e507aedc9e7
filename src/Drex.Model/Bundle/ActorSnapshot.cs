using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Drex.Model.Keywords;

namespace Drex.Model.Bundle;

/// <summary>
/// Every actor's state at a bundle's watermark plus the learned initial states for actors the snapshot does not
/// know. Binary on disk ("DRXSNAP1", little-endian; what <see cref="BinaryWriter"/> writes), parsed as it streams in.
/// </summary>
public sealed class ActorSnapshot
{
    private static readonly byte[] Magic = "DRXSNAP1"u8.ToArray();

    public required float[] UserInitial { get; init; }

    public required float[] ItemInitial { get; init; }

    public required ActorColumns Users { get; init; }

    public required ActorColumns Items { get; init; }

    public int HiddenDim => UserInitial.Length;

    public void Write(Stream stream)
    {
        if (ItemInitial.Length != HiddenDim)
        {
            throw new InvalidDataException($"The initial states have {HiddenDim} and {ItemInitial.Length} values.");
        }

        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(HiddenDim);
        w.Write(Users.Count);
        w.Write(Items.Count);
        WriteVector(w, UserInitial);
        WriteVector(w, ItemInitial);
        foreach (var actors in (ReadOnlySpan<ActorColumns>)[Users, Items])
        {
            if (actors.Count > 0 && actors.Hidden != HiddenDim)
            {
                throw new InvalidDataException($"Actor '{actors.Id(0)}' has a state of {actors.Hidden} values, not {HiddenDim}.");
            }

            for (var row = 0; row < actors.Count; row++)
            {
                w.Write(actors.Id(row));
                w.Write(actors.Bias(row));
                w.Write(actors.Interactions(row));
                WriteVector(w, actors.State(row));
                var keywords = actors.Keywords(row);
                w.Write(keywords.Length);
                foreach (var k in keywords)
                {
                    w.Write(k.Word);
                    w.Write(k.Weight);
                }
            }
        }
    }

    /// <summary>Parses a snapshot; anything malformed, truncated or followed by extra bytes is an <see cref="InvalidDataException"/>.</summary>
    public static ActorSnapshot Read(ReadOnlySpan<byte> bytes)
    {
        var parser = new Parser(bytes.Length);
        return parser.Finish(bytes.Length - parser.Parse(bytes));
    }

    /// <summary>
    /// Parses a snapshot as it streams in, through one reused buffer: a million-item snapshot is never held whole
    /// (hundreds of MB that a silo would allocate, and fault in, on every model load).
    /// </summary>
    /// <param name="length">The stream's length as announced (by the bundle's manifest), to refuse a header that claims more actors.</param>
    public static async Task<ActorSnapshot> ReadAsync(Stream stream, long length, CancellationToken cancellationToken = default)
    {
        var parser = new Parser(length);
        var buffer = new byte[1 << 20];
        var (start, end) = (0, 0);
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return parser.Finish(end - start);
            }

            end += read;
            start += parser.Parse(buffer.AsSpan(start, end - start));
            if (start == end)
            {
                (start, end) = (0, 0);
            }
            else if (end == buffer.Length)
            {
                // Keep the unparsed tail; a unit bigger than the whole buffer (an actor with very many keywords) grows it,
                // up to the announced length (a garbled length prefix must not grow it without end).
                if (start == 0 && buffer.Length >= length)
                {
                    throw new InvalidDataException("The actor snapshot is truncated.");
                }

                var tail = buffer.AsSpan(start, end - start);
                var next = start == 0 ? new byte[(int)Math.Min(Math.Min(buffer.Length * 2L, length), Array.MaxLength)] : buffer;
                tail.CopyTo(next);
                (buffer, start, end) = (next, 0, tail.Length);
            }
        }
    }

    private static void WriteVector(BinaryWriter w, ReadOnlySpan<float> v)
    {
        foreach (var x in v)
        {
            w.Write(x);
        }
    }

    /// <summary>
    /// Parses the snapshot unit by unit (the header with the initial states, then one actor at a time) from whatever
    /// bytes have arrived; a unit that is not whole yet is parsed again once more bytes came.
    /// </summary>
    private sealed class Parser(long length)
    {
        private const int HeaderBytes = 8 + 12;

        // Keyword words repeat across actors (they come from one vocabulary): one string per distinct word.
        private readonly Dictionary<string, string> _words = new(StringComparer.Ordinal);
        private float[]? _userInitial;
        private float[]? _itemInitial;
        private ColumnsBuilder? _users;
        private ColumnsBuilder? _items;

        /// <summary>Parses every whole unit at the start of <paramref name="bytes"/>; returns how many bytes they took.</summary>
        public int Parse(ReadOnlySpan<byte> bytes)
        {
            var consumed = 0;
            while (true)
            {
                var r = new SnapshotReader(bytes[consumed..]);
                if (_users is null)
                {
                    ReadHeader(ref r);
                }
                else if (!_users.Done)
                {
                    _users.ReadActor(ref r, _words);
                }
                else if (!_items!.Done)
                {
                    _items.ReadActor(ref r, _words);
                }
                else
                {
                    return consumed;
                }

                if (r.Short)
                {
                    return consumed;
                }

                consumed += r.Position;
            }
        }

        /// <summary>The snapshot, once the stream ended with <paramref name="unparsed"/> bytes left over.</summary>
        public ActorSnapshot Finish(int unparsed)
        {
            if (_users is not { Done: true } || _items is not { Done: true })
            {
                throw new InvalidDataException("The actor snapshot is truncated.");
            }

            return unparsed == 0
                ? new ActorSnapshot { UserInitial = _userInitial!, ItemInitial = _itemInitial!, Users = _users.Build(), Items = _items.Build() }
                : throw new InvalidDataException("The actor snapshot has trailing bytes.");
        }

        private void ReadHeader(ref SnapshotReader r)
        {
            var magic = r.Bytes(Magic.Length);
            if (!r.Short && !magic.SequenceEqual(Magic))
            {
                throw new InvalidDataException("The actor snapshot does not start with DRXSNAP1.");
            }

            var hidden = r.Int32();
            var users = r.Int32();
            var items = r.Int32();
            if (r.Short)
            {
                return;
            }

            if (hidden <= 0 || hidden > 4096 || users < 0 || items < 0)
            {
                throw new InvalidDataException($"The actor snapshot header is invalid (hidden {hidden}, users {users}, items {items}).");
            }

            // Each actor takes at least an id length, bias, count, its state and a keyword count: a header claiming more
            // actors than the bytes can hold is refused before anything is allocated for them.
            if (((long)users + items) * (1 + 4 + 4 + 4L * hidden + 4) > length - HeaderBytes - (8L * hidden))
            {
                throw new InvalidDataException($"The actor snapshot is truncated: its header announces {users} users and {items} items.");
            }

            var userInitial = new float[hidden];
            var itemInitial = new float[hidden];
            r.Floats(userInitial);
            r.Floats(itemInitial);
            if (!r.Short)
            {
                (_userInitial, _itemInitial) = (userInitial, itemInitial);
                (_users, _items) = (new ColumnsBuilder(users, hidden), new ColumnsBuilder(items, hidden));
            }
        }
    }

    /// <summary>The columns of one kind of actor, filled row by row.</summary>
    private sealed class ColumnsBuilder(int count, int hidden)
    {
        private readonly string[] _ids = new string[count];
        private readonly float[] _states = new float[(long)count * hidden];
        private readonly float[] _biases = new float[count];
        private readonly int[] _counts = new int[count];
        private readonly int[] _keywordStarts = new int[count + 1];
        private KeywordWeight[] _keywords = new KeywordWeight[Math.Min(count, 4096)];
        private int _row;

        public bool Done => _row == count;

        /// <summary>Reads the next actor; nothing is kept when the reader runs short.</summary>
        public void ReadActor(ref SnapshotReader r, Dictionary<string, string> words)
        {
            var id = r.String();
            var bias = r.Single();
            var interactions = r.Int32();
            var state = r.Bytes(hidden * sizeof(float));
            var keywordCount = r.Int32();
            if (r.Short)
            {
                return;
            }

            if (keywordCount is < 0 or > 100_000)
            {
                throw new InvalidDataException($"Actor '{id}' has an invalid keyword count {keywordCount}.");
            }

            var first = _keywordStarts[_row];
            if (first + keywordCount > _keywords.Length)
            {
                // To what the rows so far project for all of them: one resize when keywords are spread evenly (a doubling
                // series would copy, and fault in, several times the final array).
                var projected = (long)(first + keywordCount) * count / (_row + 1) * 9 / 8;
                Array.Resize(ref _keywords, (int)Math.Clamp(projected, first + keywordCount, Array.MaxLength));
            }

            var lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
            for (var k = 0; k < keywordCount; k++)
            {
                _keywords[first + k] = new KeywordWeight(r.InternedString(lookup), r.Single());
            }

            if (r.Short)
            {
                return;
            }

            _ids[_row] = id;
            _biases[_row] = bias;
            _counts[_row] = interactions;
            SnapshotReader.CopyFloats(state, _states.AsSpan(_row * hidden, hidden));
            _keywordStarts[_row + 1] = first + keywordCount;
            _row++;
        }

        public ActorColumns Build() => new(hidden, _ids, _states, _biases, _counts, _keywordStarts, _keywords);
    }

    /// <summary>
    /// Reads what <see cref="BinaryWriter"/> wrote (little-endian numbers, 7-bit-length-prefixed UTF-8 strings) off a
    /// span. A read past the end sets <see cref="Short"/> and returns an empty value; the caller checks it once a unit
    /// is read, and reads the unit again when more bytes came.
    /// </summary>
    private ref struct SnapshotReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Position { get; private set; }

        public bool Short { get; private set; }

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (Short || count > _bytes.Length - Position)
            {
                Short = true;
                return default;
            }

            var span = _bytes.Slice(Position, count);
            Position += count;
            return span;
        }

        public int Int32() => Bytes(4) is { Length: 4 } b ? BinaryPrimitives.ReadInt32LittleEndian(b) : 0;

        public float Single() => Bytes(4) is { Length: 4 } b ? BinaryPrimitives.ReadSingleLittleEndian(b) : 0f;

        public void Floats(Span<float> destination)
        {
            var source = Bytes(destination.Length * sizeof(float));
            if (!Short)
            {
                CopyFloats(source, destination);
            }
        }

        public static void CopyFloats(ReadOnlySpan<byte> source, Span<float> destination)
        {
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                return;
            }

            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
            }
        }

        public string String()
        {
            var utf8 = StringBytes();
            return Short ? "" : Encoding.UTF8.GetString(utf8);
        }

        /// <summary>A string equal to an earlier one comes back as that same instance.</summary>
        public string InternedString(Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> seen)
        {
            var utf8 = StringBytes();
            if (Short)
            {
                return "";
            }

            var buffer = utf8.Length <= 256 ? stackalloc char[256] : new char[utf8.Length];
            var chars = buffer[..Encoding.UTF8.GetChars(utf8, buffer)];
            if (!seen.TryGetValue(chars, out var word))
            {
                word = chars.ToString();
                seen.Dictionary.Add(word, word);
            }

            return word;
        }

        private ReadOnlySpan<byte> StringBytes()
        {
            // BinaryWriter's length prefix: 7 bits a byte, low groups first, at most 5 bytes.
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 28)
                {
                    throw new InvalidDataException("The actor snapshot holds a malformed string length.");
                }

                var b = Bytes(1);
                if (Short)
                {
                    return default;
                }

                length |= (b[0] & 0x7F) << shift;
                if (b[0] < 0x80)
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
