using Orleans.Concurrency;

namespace Drex.Contracts;

/// <summary>Well-known grain keys and names.</summary>
public static class DrexKeys
{
    /// <summary>The model registry's key.</summary>
    public const string Registry = "default";

    /// <summary>The interaction log's key.</summary>
    public const string Log = "default";
}

/// <summary>Ingests interactions: encodes the review once, fuses the feature once and updates both actors.</summary>
public interface IIngestGrain : IGrainWithIntegerKey
{
    /// <summary>Applies one interaction exactly once; a retry with the same id returns the first result.</summary>
    Task<InteractionResult> IngestAsync(InteractionRequest request);

    /// <summary>Applies interactions in order (so one actor's interactions keep their order).</summary>
    Task<InteractionResult[]> IngestBatchAsync(InteractionRequest[] requests);
}

/// <summary>Answers read queries: predictions and recommendations with explanations.</summary>
public interface IQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The predicted rating of a user for an item, with the explanation.</summary>
    Task<PredictionView> PredictAsync(string userId, string itemId);

    /// <summary>The user's top-k items not yet rated, each with its explanation.</summary>
    Task<RecommendationsView> RecommendAsync(string userId, int k);
}

/// <summary>A user: its DReX state, keyword profile and the items it rated.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Records the state before the update, applies the GRU step and persists before answering.</summary>
    Task<ActorUpdateResult> ApplyAsync(ActorUpdate update);

    /// <summary>The state predictions are made from (rebased onto the current model first).</summary>
    Task<ActorVector> GetVectorAsync();

    /// <summary>Keyword profile, counts, model version.</summary>
    Task<ActorView> GetViewAsync();

    /// <summary>The state and the view from one read (so from one model version), in one call.</summary>
    Task<ActorReading> ReadAsync();

    /// <summary>What a recommendation needs from the user, read at once: its state, its profile and the items it rated or reviewed.</summary>
    Task<UserQueryContext> GetQueryContextAsync();

    /// <summary>Records the prediction made before one of this user's updates and, when rated, its error (prequential MAE).</summary>
    [OneWay]
    Task RecordPredictionAsync(string interactionId, float prediction, float? absoluteError);
}

/// <summary>An item: its DReX state and keyword profile; it keeps the item index current.</summary>
public interface IItemGrain : IGrainWithStringKey
{
    /// <summary>Records the state before the update, applies the GRU step and persists before answering.</summary>
    Task<ActorUpdateResult> ApplyAsync(ActorUpdate update);

    /// <summary>The state predictions are made from (rebased onto the current model first).</summary>
    Task<ActorVector> GetVectorAsync();

    /// <summary>Keyword profile, counts, model version.</summary>
    Task<ActorView> GetViewAsync();

    /// <summary>The state and the view from one read (so from one model version), in one call.</summary>
    Task<ActorReading> ReadAsync();

    /// <summary>Records the error of a prediction made before one of this item's updates (prequential MAE).</summary>
    [OneWay]
    Task RecordPredictionAsync(string interactionId, float prediction, float? absoluteError);

    /// <summary>
    /// What the item index needs to catch up with this item under a model version: its durable state and profile,
    /// after its silo catches up with the registry if it serves an older version. Null when the item has no stored
    /// state (the model's snapshot row is then its state) or its silo serves another version.
    /// </summary>
    Task<ActorReading?> ReadForIndexAsync(string modelVersion);
}

/// <summary>One partition of the in-memory index of item states used for top-k scoring.</summary>
public interface IItemIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or replaces an item's state, and its keyword profile unless <paramref name="keywords"/> is null (unchanged).</summary>
    [OneWay]
    Task UpsertAsync(ActorVector item, Keyword[]? keywords);

    /// <summary>
    /// The k best items of this partition for a user state under the given model version, each with the keyword
    /// profile that explains it; <paramref name="exclude"/> holds the ids to leave out (those of other partitions are ignored).
    /// </summary>
    Task<ScoredItem[]> TopAsync(float[] user, float userBias, int k, string[] exclude, string modelVersion);

    /// <summary>Items in this partition.</summary>
    Task<int> CountAsync();

    /// <summary>
    /// Completes when this partition's rows of the version have caught up with every item the interaction log shows
    /// updated after the version's watermark (rows built from the snapshot lack those updates until then); returns how
    /// many items it read. Queries do not wait for it.
    /// </summary>
    Task<int> CatchUpAsync(string modelVersion);

    /// <summary>
    /// Builds this partition's rows of a model version before it is served (the registry asks while it validates a
    /// publish), so the first recommendations under it do not wait for them.
    /// </summary>
    Task PrepareAsync(string modelVersion);
}

/// <summary>The model registry: the current version, its history, publishing and rollback.</summary>
public interface IModelRegistryGrain : IGrainWithStringKey
{
    /// <summary>The active model, or null before the first publish.</summary>
    [AlwaysInterleave]
    Task<ModelInfo?> GetCurrentAsync();

    /// <summary>
    /// What silos poll: the active version, and the version being validated for publishing or activation, if any
    /// (silos start loading it at once, so they are ready to swap when it becomes active). Reads interleave with a
    /// publish in progress, which awaits the bundle's validation.
    /// </summary>
    [AlwaysInterleave]
    Task<ModelTarget> GetTargetAsync();

    /// <summary>Every version ever published, newest first.</summary>
    [AlwaysInterleave]
    Task<ModelInfo[]> GetVersionsAsync();

    /// <summary>
    /// Validates an uploaded bundle, has the item-index partitions build their rows of it, and makes it the active
    /// version; a corrupt bundle is refused.
    /// </summary>
    Task<ModelInfo> PublishAsync(string version);

    /// <summary>Makes an earlier version active again (rollback).</summary>
    Task<ModelInfo> ActivateAsync(string version);
}

/// <summary>The durable interaction log: the trainer's input; appends are group-committed.</summary>
public interface IInteractionLogGrain : IGrainWithStringKey
{
    /// <summary>Appends interactions durably and returns their sequence numbers.</summary>
    Task<long[]> AppendAsync(InteractionRequest[] interactions);

    /// <summary>The sequence number of the newest durable record (-1 when empty).</summary>
    Task<long> GetHeadAsync();
}

/// <summary>
/// The ingestion path with the work taken out, for benchmarks: the same request reaches a stateless worker that
/// calls a user-side and an item-side grain which do nothing. Its throughput is the ceiling real ingestion is read
/// against. The gateway exposes it only when diagnostics are enabled.
/// </summary>
public interface INoOpIngestGrain : IGrainWithIntegerKey
{
    /// <summary>Validates the interaction as ingestion does, calls both no-op grains and answers like ingestion.</summary>
    Task<InteractionResult> IngestAsync(InteractionRequest request);
}

/// <summary>A grain that accepts an actor update and does nothing with it (see <see cref="INoOpIngestGrain"/>).</summary>
public interface INoOpActorGrain : IGrainWithStringKey
{
    Task<ActorUpdateResult> ApplyAsync(ActorUpdate update);
}
