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
        var members = new List<ActorRecord>[DrexKeys.IndexPartitions];
        for (var p = 0; p < members.Length; p++)
        {
            members[p] = [];
        }

        foreach (var item in items)
        {
            members[Of(item.Id)].Add(item);
        }

        return [.. members.Select(m =>
        {
            var states = new float[m.Count * hidden];
            for (var s = 0; s < m.Count; s++)
            {
                m[s].State.AsSpan().CopyTo(states.AsSpan(s * hidden, hidden));
            }

            return new ItemPartition([.. m.Select(a => a.Id)], states, [.. m.Select(a => a.Bias)]);
        })];
    }
}
