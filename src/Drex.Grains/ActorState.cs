using Drex.Contracts;

namespace Drex.Grains;

/// <summary>An interaction an actor applied after its model's watermark: what rebasing replays.</summary>
[GenerateSerializer, Immutable, Alias("drex.pending-interaction")]
public sealed record PendingInteraction(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string Id,
    [property: Id(2)] string Counterpart,
    [property: Id(3)] float? Rating,
    [property: Id(4)] string? Review);

/// <summary>A recently applied interaction id and the prediction recorded for it (for idempotent retries).</summary>
[GenerateSerializer, Alias("drex.recent-interaction")]
public sealed class RecentInteraction
{
    [Id(0)] public string Id { get; set; } = "";

    [Id(1)] public float? Prediction { get; set; }
}

/// <summary>The persistent state of a user or an item grain.</summary>
[GenerateSerializer, Alias("drex.actor-state")]
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
    [Id(5)] public List<Keyword> Keywords { get; set; } = [];

    /// <summary>The last <see cref="ActorGrain.RecentCapacity"/> interaction ids, oldest first (deduplication window).</summary>
    [Id(6)] public List<RecentInteraction> Recent { get; set; } = [];

    /// <summary>Interactions after the model's watermark, in the order applied (replayed when rebasing).</summary>
    [Id(7)] public List<PendingInteraction> Pending { get; set; } = [];

    /// <summary>Counterparts interacted with (for users: the items to exclude from recommendations).</summary>
    [Id(8)] public HashSet<string> Counterparts { get; set; } = new(StringComparer.Ordinal);

    [Id(9)] public double ErrorSum { get; set; }

    [Id(10)] public int ErrorCount { get; set; }
}
