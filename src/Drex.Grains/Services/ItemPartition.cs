using System.Buffers;
using System.Text;
using Drex.Model.Bundle;
using Drex.Model.Keywords;

namespace Drex.Grains.Services;

/// <summary>
/// One item-index partition of a model's snapshot: the snapshot rows of the items it holds, slot by slot, in row
/// order. Their ids, states, biases and keywords stay in the snapshot's columns; the partition's grain scans int8
/// codes of the states, made when it loads the model, and reads the float states from the snapshot.
/// </summary>
public sealed record ItemPartition(ActorColumns Items, int[] Rows)
{
    /// <summary>Items a partition is meant to scan per query; a model gets as many partitions as its items need, up to <see cref="MaxPartitions"/>.</summary>
    public const int ItemsPerPartition = 65_536;

    /// <summary>The most partitions a model's index is split into (a query asks every one of them).</summary>
    public const int MaxPartitions = 8;

    public int Count => Rows.Length;

    public string Id(int slot) => Items.Id(Rows[slot]);

    public void CopyState(int slot, Span<float> destination) => Items.CopyState(Rows[slot], destination);

    public float Bias(int slot) => Items.Bias(Rows[slot]);

    public KeywordWeight[] Keywords(int slot) => Items.Keywords(Rows[slot]);

    /// <summary>The slot of a snapshot item of this partition, or -1 (rows are in order: found by the snapshot's id index and a binary search).</summary>
    public int SlotOf(string itemId) => Items.Find(itemId) is var row and >= 0 && Array.BinarySearch(Rows, row) is var slot and >= 0 ? slot : -1;

    /// <summary>
    /// How many partitions a model with this many items uses: one per <see cref="ItemsPerPartition"/> items, at least
    /// one and at most <see cref="MaxPartitions"/>. A small catalog is one scan on one grain, not a fan-out to eight.
    /// </summary>
    public static int CountFor(int items) => Math.Clamp((int)Math.Ceiling(items / (double)ItemsPerPartition), 1, MaxPartitions);

    /// <summary>The partition an item belongs to: a stable hash of its id (string.GetHashCode is randomised per process).</summary>
    public static int Of(string itemId, int partitions) => Of(itemId.AsSpan(), partitions);

    /// <summary>The partition of an item whose id is given as UTF-8 (as a snapshot holds it): the same as <see cref="Of(string, int)"/>.</summary>
    public static int Of(ReadOnlySpan<byte> utf8ItemId, int partitions)
    {
        var length = Encoding.UTF8.GetMaxCharCount(utf8ItemId.Length);
        char[]? rented = null;
        var chars = length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            return Of(chars[..Encoding.UTF8.GetChars(utf8ItemId, chars)], partitions);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static int Of(ReadOnlySpan<char> itemId, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var hash = 2166136261u;
        foreach (var c in itemId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)partitions);
    }

    /// <summary>Splits the snapshot's items into <see cref="CountFor"/> partitions.</summary>
    public static ItemPartition[] Split(ActorColumns items)
    {
        // Two passes over the items (count, then fill arrays of the exact size): no per-partition lists to grow.
        var count = CountFor(items.Count);
        var partitionOf = new byte[items.Count];
        var sizes = new int[count];
        items.VisitIds((row, id) =>
        {
            var p = Of(id, count);
            partitionOf[row] = checked((byte)p);
            sizes[p]++;
        });

        var rows = sizes.Select(n => new int[n]).ToArray();
        var filled = new int[rows.Length];
        for (var row = 0; row < items.Count; row++)
        {
            var p = partitionOf[row];
            rows[p][filled[p]++] = row;
        }

        return [.. rows.Select(r => new ItemPartition(items, r))];
    }
}
