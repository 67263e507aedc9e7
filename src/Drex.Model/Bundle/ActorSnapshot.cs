using System.Text;

namespace Drex.Model.Bundle;

/// <summary>
/// Every actor's state at a bundle's watermark plus the learned initial states for actors the snapshot does not
/// know. Binary on disk ("DRXSNAP2", little-endian; what <see cref="BinaryWriter"/> writes): a header with the
/// initial states, then one record per user and one per item, which <see cref="ActorColumns"/> read in place.
/// "DRXSNAP1" snapshots (the same without each actor's rating count) are still read, and written back as they were.
/// </summary>
public sealed class ActorSnapshot
{
    private static readonly byte[] Magic = "DRXSNAP2"u8.ToArray();
    private static readonly byte[] MagicWithoutRatings = "DRXSNAP1"u8.ToArray();

    public required float[] UserInitial { get; init; }

    public required float[] ItemInitial { get; init; }

    public required ActorColumns Users { get; init; }

    public required ActorColumns Items { get; init; }

    public int HiddenDim => UserInitial.Length;

    public unsafe void Write(Stream stream)
    {
        if (ItemInitial.Length != HiddenDim)
        {
            throw new InvalidDataException($"The initial states have {HiddenDim} and {ItemInitial.Length} values.");
        }

        if (Users.HasRatings != Items.HasRatings)
        {
            throw new InvalidDataException("The users' and the items' records differ in layout (one set was read from a DRXSNAP1 snapshot).");
        }

        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Users.HasRatings ? Magic : MagicWithoutRatings);
            w.Write(HiddenDim);
            w.Write(Users.Count);
            w.Write(Items.Count);
            foreach (var x in (ReadOnlySpan<float>)[.. UserInitial, .. ItemInitial])
            {
                w.Write(x);
            }
        }

        // The rows are already in the file's layout: their bytes are written as they are.
        foreach (var actors in (ReadOnlySpan<ActorColumns>)[Users, Items])
        {
            if (actors.Count > 0 && actors.Hidden != HiddenDim)
            {
                throw new InvalidDataException($"Actor '{actors.Id(0)}' has a state of {actors.Hidden} values, not {HiddenDim}.");
            }

            var (start, end) = actors.Extent;
            using var pin = actors.Bytes.Pin();
            for (var offset = start; offset < end; offset += 1 << 20)
            {
                stream.Write(new ReadOnlySpan<byte>(pin.Pointer + offset, (int)Math.Min(1 << 20, end - offset)));
            }
        }
    }

    /// <summary>Reads a snapshot from a copy of <paramref name="bytes"/>.</summary>
    public static ActorSnapshot Read(ReadOnlySpan<byte> bytes) => Read(SnapshotBytes.Copy(bytes));

    /// <summary>Reads a snapshot from a stream of at most <paramref name="maxLength"/> bytes.</summary>
    public static async Task<ActorSnapshot> ReadAsync(Stream stream, long maxLength, CancellationToken cancellationToken = default) =>
        Read(await SnapshotBytes.ReadAsync(stream, maxLength, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Reads a snapshot where its bytes lie (they are kept, not copied); anything malformed, truncated or followed by
    /// extra bytes is an <see cref="InvalidDataException"/>.
    /// </summary>
    public static unsafe ActorSnapshot Read(SnapshotBytes bytes)
    {
        const int headerBytes = 8 + 12;
        int hidden, users, items;
        bool ratings;
        float[] userInitial, itemInitial;
        var position = 0L;
        using (var pin = bytes.Pin())
        {
            var r = new ActorColumns.RowReader(pin.Pointer, 0, bytes.Length);
            var magic = r.Bytes(Math.Min(Magic.Length, bytes.Length));
            ratings = magic.SequenceEqual(Magic);
            if (!ratings && !magic.SequenceEqual(MagicWithoutRatings))
            {
                throw new InvalidDataException("The actor snapshot does not start with DRXSNAP2 (or DRXSNAP1).");
            }

            hidden = r.Int32();
            users = r.Int32();
            items = r.Int32();
            if (hidden <= 0 || hidden > 4096 || users < 0 || items < 0)
            {
                throw new InvalidDataException($"The actor snapshot header is invalid (hidden {hidden}, users {users}, items {items}).");
            }

            // Each actor takes at least an id length, its fields, its state and a keyword count: a header claiming more
            // actors than the bytes can hold is refused before anything is allocated for them.
            if (((long)users + items) * (1 + ActorColumns.FieldBytes(ratings) + 4L * hidden + 4) > bytes.Length - headerBytes - (8L * hidden))
            {
                throw new InvalidDataException($"The actor snapshot is truncated: its header announces {users} users and {items} items.");
            }

            userInitial = new float[hidden];
            itemInitial = new float[hidden];
            ActorColumns.CopyFloats(r.Bytes(4L * hidden), userInitial);
            ActorColumns.CopyFloats(r.Bytes(4L * hidden), itemInitial);
            position = r.Position;
        }

        var snapshot = new ActorSnapshot
        {
            UserInitial = userInitial,
            ItemInitial = itemInitial,
            Users = ActorColumns.Read(bytes, ref position, users, hidden, ratings),
            Items = ActorColumns.Read(bytes, ref position, items, hidden, ratings),
        };
        return position == bytes.Length ? snapshot : throw new InvalidDataException("The actor snapshot has trailing bytes.");
    }
}
