using Drex.Contracts;
using Drex.Model.Bundle;

namespace Drex.Grains.Services;

/// <summary>
/// One item-index partition of a model's snapshot: the snapshot rows of the items it holds, slot by slot. Their ids,
/// states and biases stay in the snapshot's columns; the partition's grain copies them when it loads the model, so a
/// silo copies only the partitions it hosts.
/// </summary>
public sealed record ItemPartition(ActorColumns Items, int[] Rows)
{
    public int Count => Rows.Length;

    public string Id(int slot) => Items.Id(Rows[slot]);

    public ReadOnlySpan<float> State(int slot) => Items.State(Rows[slot]);

    public float Bias(int slot) => Items.Bias(Rows[slot]);

    /// <summary>The partition an item belongs to: a stable hash of its id (string.GetHashCode is randomised per process).</summary>
    public static int Of(string itemId)
    {
        var hash = 2166136261u;
        foreach (var c in itemId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % DrexKeys.IndexPartitions);
    }

    /// <summary>Splits the snapshot's items into the <see cref="DrexKeys.IndexPartitions"/> partitions.</summary>
    public static ItemPartition[] Split(ActorColumns items)
    {
        // Two passes over the items (count, then fill arrays of the exact size): no per-partition lists to grow.
        var partitionOf = new byte[items.Count];
        var sizes = new int[DrexKeys.IndexPartitions];
        for (var row = 0; row < items.Count; row++)
        {
            var p = Of(items.Id(row));
            partitionOf[row] = checked((byte)p);
            sizes[p]++;
        }

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
