using System.IO.Hashing;
using System.Runtime.InteropServices;
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
/// The deduplication window: the last <see cref="Capacity"/> interaction ids an actor applied, as 64-bit hashes in a
/// ring, each with the prediction recorded for it (NaN until recorded). At most 12 KiB, however many interactions.
/// </summary>
[GenerateSerializer, Alias("drex.recent-window")]
public sealed class RecentWindow
{
    /// <summary>How many recent interaction ids each actor remembers.</summary>
    public const int Capacity = 1024;

    [Id(0)] public long[] Ids { get; set; } = [];

    [Id(1)] public float[] Predictions { get; set; } = [];

    /// <summary>Ids added so far (the ring's next slot is <c>Added % Capacity</c>).</summary>
    [Id(2)] public long Added { get; set; }

    /// <summary>The slot holding <paramref name="id"/>, or -1 when it is not in the window.</summary>
    public int Find(string id)
    {
        var count = (int)Math.Min(Added, Capacity);
        return count == 0 ? -1 : Ids.AsSpan(0, count).IndexOf(Hash(id));
    }

    /// <summary>The prediction recorded in a slot, if any.</summary>
    public float? PredictionAt(int slot) => float.IsNaN(Predictions[slot]) ? null : Predictions[slot];

    public void Add(string id)
    {
        var slot = (int)(Added % Capacity);
        if (slot == Ids.Length)
        {
            // Grows by doubling up to the capacity, so a quiet actor's state stays small.
            var size = Math.Min(Capacity, Math.Max(8, Ids.Length * 2));
            Ids = [.. Ids, .. new long[size - Ids.Length]];
            Predictions = [.. Predictions, .. new float[size - Predictions.Length]];
        }

        Ids[slot] = Hash(id);
        Predictions[slot] = float.NaN;
        Added++;
    }

    public void RecordPrediction(string id, float prediction)
    {
        if (Find(id) is var slot and >= 0)
        {
            Predictions[slot] = prediction;
        }
    }

    private static long Hash(string id) => (long)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));
}

/// <summary>The persistent state of a user or an item grain.</summary>
[GenerateSerializer, Alias("drex.actor-state.v2")]
public sealed class ActorState
{
    /// <summary>The model version <see cref="State"/> and <see cref="Bias"/> were computed under ("" before activation).</summary>
    [Id(0)] public string ModelVersion { get; set; } = "";

    [Id(1)] public float[] State { get; set; } = [];

    [Id(2)] public float Bias { get; set; }

    /// <summary>Interactions applied, including those in the model's snapshot.</summary>
    [Id(3)] public int Interactions { get; set; }

    /// <summary>Of those, how many carried a rating.</summary>
    [Id(4)] public int Ratings { get; set; }

    /// <summary>The keyword profile, heaviest first, bounded.</summary>
    [Id(5)] public Keyword[] Keywords { get; set; } = [];

    [Id(6)] public RecentWindow Recent { get; set; } = new();

    /// <summary>Interactions after the model's watermark, in the order applied (replayed when rebasing).</summary>
    [Id(7)] public List<PendingInteraction> Pending { get; set; } = [];

    /// <summary>For users: the items interacted with (excluded from recommendations). Items keep none.</summary>
    [Id(8)] public HashSet<string> Counterparts { get; set; } = new(StringComparer.Ordinal);

    [Id(9)] public double ErrorSum { get; set; }

    [Id(10)] public int ErrorCount { get; set; }
}
