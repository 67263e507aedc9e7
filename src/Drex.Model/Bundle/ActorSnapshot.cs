using System.Text;
using Drex.Model.Keywords;

namespace Drex.Model.Bundle;

/// <summary>The state of one user or item at the bundle's training watermark.</summary>
public sealed record ActorRecord(string Id, float[] State, float Bias, int Count, KeywordWeight[] Keywords);

/// <summary>
/// Every actor's state at a bundle's watermark plus the learned initial states for actors the snapshot does not
/// know. Binary on disk ("DRXSNAP1", little-endian) so a million items load in well under a second.
/// </summary>
public sealed class ActorSnapshot
{
    private static readonly byte[] Magic = "DRXSNAP1"u8.ToArray();

    public required float[] UserInitial { get; init; }

    public required float[] ItemInitial { get; init; }

    public required IReadOnlyList<ActorRecord> Users { get; init; }

    public required IReadOnlyList<ActorRecord> Items { get; init; }

    public int HiddenDim => UserInitial.Length;

    public void Write(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(HiddenDim);
        w.Write(Users.Count);
        w.Write(Items.Count);
        WriteVector(w, UserInitial);
        WriteVector(w, ItemInitial);
        foreach (var actor in Users.Concat(Items))
        {
            if (actor.State.Length != HiddenDim)
            {
                throw new InvalidDataException($"Actor '{actor.Id}' has a state of {actor.State.Length} values, not {HiddenDim}.");
            }

            w.Write(actor.Id);
            w.Write(actor.Bias);
            w.Write(actor.Count);
            WriteVector(w, actor.State);
            w.Write(actor.Keywords.Length);
            foreach (var k in actor.Keywords)
            {
                w.Write(k.Word);
                w.Write(k.Weight);
            }
        }
    }

    public static ActorSnapshot Read(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException("The actor snapshot does not start with DRXSNAP1.");
            }

            var hidden = r.ReadInt32();
            var users = r.ReadInt32();
            var items = r.ReadInt32();
            if (hidden <= 0 || hidden > 4096 || users < 0 || items < 0)
            {
                throw new InvalidDataException($"The actor snapshot header is invalid (hidden {hidden}, users {users}, items {items}).");
            }

            // Each actor takes at least an id length, bias, count, its state and a keyword count: a header claiming more
            // actors than the bytes can hold is refused before anything is allocated for them.
            if (stream.CanSeek && ((long)users + items) * (1 + 4 + 4 + 4L * hidden + 4) > stream.Length - stream.Position)
            {
                throw new InvalidDataException($"The actor snapshot is truncated: its header announces {users} users and {items} items.");
            }

            var userInitial = ReadVector(r, hidden);
            var itemInitial = ReadVector(r, hidden);
            var snapshot = new ActorSnapshot
            {
                UserInitial = userInitial,
                ItemInitial = itemInitial,
                Users = ReadActors(r, users, hidden),
                Items = ReadActors(r, items, hidden),
            };
            if (stream.CanSeek && stream.Position != stream.Length)
            {
                throw new InvalidDataException("The actor snapshot has trailing bytes.");
            }

            return snapshot;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The actor snapshot is truncated.", e);
        }
    }

    private static ActorRecord[] ReadActors(BinaryReader r, int count, int hidden)
    {
        var actors = new ActorRecord[count];
        for (var i = 0; i < count; i++)
        {
            var id = r.ReadString();
            var bias = r.ReadSingle();
            var n = r.ReadInt32();
            var state = ReadVector(r, hidden);
            var keywordCount = r.ReadInt32();
            if (keywordCount is < 0 or > 100_000)
            {
                throw new InvalidDataException($"Actor '{id}' has an invalid keyword count {keywordCount}.");
            }

            var keywords = new KeywordWeight[keywordCount];
            for (var k = 0; k < keywordCount; k++)
            {
                keywords[k] = new KeywordWeight(r.ReadString(), r.ReadSingle());
            }

            actors[i] = new ActorRecord(id, state, bias, n, keywords);
        }

        return actors;
    }

    private static void WriteVector(BinaryWriter w, float[] v)
    {
        foreach (var x in v)
        {
            w.Write(x);
        }
    }

    private static float[] ReadVector(BinaryReader r, int n)
    {
        var v = new float[n];
        if (BitConverter.IsLittleEndian)
        {
            // One read for the whole vector (BinaryWriter wrote little-endian IEEE floats; BinaryReader buffers nothing
            // ahead, so reading its stream directly keeps the two in step): a million-item snapshot loads ~2x faster.
            r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()));
            return v;
        }

        for (var i = 0; i < n; i++)
        {
            v[i] = r.ReadSingle();
        }

        return v;
    }
}
