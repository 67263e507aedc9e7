namespace Drex.Contracts;

/// <summary>One interaction as a client sends it: a rating and/or a review by a user about an item.</summary>
[GenerateSerializer, Immutable, Alias("drex.interaction-request")]
public sealed record InteractionRequest(
    [property: Id(0)] string Id,
    [property: Id(1)] string UserId,
    [property: Id(2)] string ItemId,
    [property: Id(3)] float? Rating,
    [property: Id(4)] string? Review,
    [property: Id(5)] long Timestamp);

/// <summary>
/// What ingesting an interaction did: the prediction made from the states before the update. A retry (duplicate)
/// returns the first prediction when the user actor still has it, and null when it does not (it is kept with the
/// actor's next durable write, so a crash right after the first attempt can lose it).
/// </summary>
[GenerateSerializer, Immutable, Alias("drex.interaction-result")]
public sealed record InteractionResult(
    [property: Id(0)] string Id,
    [property: Id(1)] float? Prediction,
    [property: Id(2)] string ModelVersion,
    [property: Id(3)] bool Duplicate,
    [property: Id(4)] long Sequence);

/// <summary>A word of a keyword profile with its weight.</summary>
[GenerateSerializer, Immutable, Alias("drex.keyword")]
public readonly record struct Keyword([property: Id(0)] string Word, [property: Id(1)] float Weight);

/// <summary>A word shared by a user's and an item's profiles; the score is the geometric mean of the two weights.</summary>
[GenerateSerializer, Immutable, Alias("drex.keyword-match")]
public sealed record KeywordMatchView(
    [property: Id(0)] string Word,
    [property: Id(1)] float Score,
    [property: Id(2)] float UserWeight,
    [property: Id(3)] float ItemWeight);

/// <summary>
/// The update both actors of one interaction apply: the fused feature computed once under one model version, plus
/// what each actor keeps (the counterpart, the log sequence and raw rating for rebasing, whether there was a review
/// (rebasing reads its text back from the log), keywords for its profile).
/// </summary>
[GenerateSerializer, Immutable, Alias("drex.actor-update.v2")]
public sealed record ActorUpdate(
    [property: Id(0)] string InteractionId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] string Counterpart,
    [property: Id(3)] float? Rating,
    [property: Id(4)] bool HasReview,
    [property: Id(5)] float[] Feature,
    [property: Id(6)] Keyword[] Keywords,
    [property: Id(7)] string ModelVersion);

/// <summary>How an actor answered an update.</summary>
[GenerateSerializer]
public enum UpdateStatus
{
    /// <summary>The update was applied and is durable.</summary>
    Applied,

    /// <summary>The interaction id was applied before; nothing changed.</summary>
    Duplicate,

    /// <summary>The actor runs a newer model version than the feature was computed under; recompute and retry.</summary>
    VersionMismatch,
}

/// <summary>An actor's answer to an update: its state before the update (for the prediction), or why not.</summary>
[GenerateSerializer, Immutable, Alias("drex.actor-update-result")]
public sealed record ActorUpdateResult(
    [property: Id(0)] UpdateStatus Status,
    [property: Id(1)] float[] PreviousState,
    [property: Id(2)] float Bias,
    [property: Id(3)] string ModelVersion,
    [property: Id(4)] float? RecordedPrediction);

/// <summary>An actor's numeric state under a model version (what predictions are made from).</summary>
[GenerateSerializer, Immutable, Alias("drex.actor-vector")]
public sealed record ActorVector(
    [property: Id(0)] string Id,
    [property: Id(1)] float[] State,
    [property: Id(2)] float Bias,
    [property: Id(3)] string ModelVersion);

/// <summary>What a user or item exposes: its keyword profile, counts, model version and live error.</summary>
[GenerateSerializer, Immutable, Alias("drex.actor-view")]
public sealed record ActorView(
    [property: Id(0)] string Id,
    [property: Id(1)] string ModelVersion,
    [property: Id(2)] int Interactions,
    [property: Id(3)] int Ratings,
    [property: Id(4)] Keyword[] Keywords,
    [property: Id(5)] double? PrequentialMae,
    [property: Id(6)] bool Known);

/// <summary>A predicted rating with the explanation: where the user's and the item's keyword profiles meet.</summary>
[GenerateSerializer, Immutable, Alias("drex.prediction")]
public sealed record PredictionView(
    [property: Id(0)] string UserId,
    [property: Id(1)] string ItemId,
    [property: Id(2)] float Rating,
    [property: Id(3)] string ModelVersion,
    [property: Id(4)] KeywordMatchView[] Explanation);

/// <summary>Top-k items for a user, best first, each with its explanation.</summary>
[GenerateSerializer, Immutable, Alias("drex.recommendations")]
public sealed record RecommendationsView(
    [property: Id(0)] string UserId,
    [property: Id(1)] string ModelVersion,
    [property: Id(2)] PredictionView[] Items);

/// <summary>A model version known to the registry.</summary>
[GenerateSerializer, Immutable, Alias("drex.model-info")]
public sealed record ModelInfo(
    [property: Id(0)] string Version,
    [property: Id(1)] DateTimeOffset PublishedAt,
    [property: Id(2)] string Head,
    [property: Id(3)] long WatermarkSequence,
    [property: Id(4)] long TrainedInteractions,
    [property: Id(5)] double? ValidationMae,
    [property: Id(6)] double? ValidationMse,
    [property: Id(7)] bool Active);

/// <summary>The registry's answer to silos' polls: the active version, and the one being validated (if any).</summary>
[GenerateSerializer, Immutable, Alias("drex.model-target")]
public sealed record ModelTarget([property: Id(0)] string? Active, [property: Id(1)] string? Upcoming);

/// <summary>An item's score in a top-k query, with its keyword profile (what explains it).</summary>
[GenerateSerializer, Immutable, Alias("drex.scored-item.v2")]
public readonly record struct ScoredItem([property: Id(0)] string ItemId, [property: Id(1)] float Score, [property: Id(2)] Keyword[] Keywords);

/// <summary>An actor's state and view from one read, so from one model version: what a prediction and its explanation need.</summary>
[GenerateSerializer, Immutable, Alias("drex.actor-reading")]
public sealed record ActorReading([property: Id(0)] ActorVector Vector, [property: Id(1)] ActorView View);

/// <summary>What a recommendation reads from its user in one call: state, keyword profile and the items to leave out.</summary>
[GenerateSerializer, Immutable, Alias("drex.user-query-context")]
public sealed record UserQueryContext(
    [property: Id(0)] ActorVector Vector,
    [property: Id(1)] ActorView View,
    [property: Id(2)] string[] Interacted);

/// <summary>No model has been published yet: the system cannot score or update actors until one is.</summary>
[GenerateSerializer, Alias("drex.no-model")]
public sealed class NoModelException() : InvalidOperationException("No model has been published yet: train one and publish it (see README).");
