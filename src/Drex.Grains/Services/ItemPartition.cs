using Drex.Contracts;
using Drex.Model.Bundle;

namespace Drex.Grains.Services;

/// <summary>One item-index partition of a model's snapshot: ids, a row-major state matrix and biases, slot by slot.</summary>
public sealed record ItemPartition(string[] Ids, float[] States, float[] Biases)
{
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
    public static ItemPartition[] Split(IReadOnlyList<ActorRecord> items, int hidden)
    {
        // Two passes over the items (count, then fill arrays of the exact size): no per-partition lists to grow,
        // which for a million items took a third of the split.
        var partitionOf = new byte[items.Count];
        var sizes = new int[DrexKeys.IndexPartitions];
        for (var i = 0; i < items.Count; i++)
        {
            var p = Of(items[i].Id);
            partitionOf[i] = checked((byte)p);
            sizes[p]++;
        }

        var partitions = sizes.Select(n => new ItemPartition(new string[n], new float[n * hidden], new float[n])).ToArray();
        var filled = new int[partitions.Length];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var partition = partitions[partitionOf[i]];
            var slot = filled[partitionOf[i]]++;
            partition.Ids[slot] = item.Id;
            partition.Biases[slot] = item.Bias;
            item.State.AsSpan().CopyTo(partition.States.AsSpan(slot * hidden, hidden));
        }

        return partitions;
    }
}
