using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Keywords;
using Drex.Model.Runtime;
using Drex.Model.Text;
using Orleans.Storage;

namespace Drex.Grains;

/// <summary>
/// What users and items share: deduplicated GRU updates under one model version, rebasing onto newer versions
/// (snapshot state plus replay of the actor's own later interactions), keyword profiles and durable state.
/// <para>
/// Updates are group-committed: updates that arrive while the actor is writing queue up and are applied together,
/// in arrival order, as one batch of GRU steps followed by one state write; each is acknowledged only when that write
/// is durable. A hot actor therefore writes once per batch instead of once per interaction. All mutation runs under
/// one gate (the grain is reentrant so updates can queue while a write is in flight); reads answer from the last
/// durable state and never wait for a write.
/// </para>
/// </summary>
public abstract class ActorGrain(
    string stateName, IGrainStorage storage, ModelHost models, ReviewEncodingService encoder, LogReviewCache reviews, DrexMetrics metrics)
    : Grain
{
    private ActorStorage _storage = null!;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<(ActorUpdate Update, TaskCompletionSource<ActorUpdateResult> Done)> _queue = [];
    private bool _flushing;
    private bool _recordedSinceWrite;
    private Exception? _failedWrite;
    private Durable _durable = null!;

    protected ActorState S => _storage.State;

    protected string Id => this.GetPrimaryKeyString();

    /// <summary>True for users (user GRU cell, user snapshot), false for items.</summary>
    protected abstract bool IsUser { get; }

    /// <summary>What reads answer from: the actor as of its last durable write (or as derived from the model).</summary>
    protected sealed record Durable(string ModelVersion, float[] State, float Bias, int Interactions, int Ratings, Keyword[] Keywords);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = new ActorStorage(storage, stateName, this.GetGrainId());
        await _storage.ReadAsync();
        S.MigrateLegacy();
        _durable = Snapshot();
    }

    public Task<ActorUpdateResult> ApplyAsync(ActorUpdate update)
    {
        if (_failedWrite is { } failed)
        {
            return Task.FromException<ActorUpdateResult>(Unwritable(failed));
        }

        var done = new TaskCompletionSource<ActorUpdateResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((update, done));
        if (!_flushing)
        {
            _flushing = true;
            _ = FlushAsync();
        }

        return done.Task;
    }

    public async Task<ActorVector> GetVectorAsync() => VectorOf(await CurrentAsync());

    public async Task<ActorView> GetViewAsync() => ViewOf(await CurrentAsync());

    /// <summary>The state and the view, from one read (so from one model version).</summary>
    public async Task<ActorReading> ReadAsync()
    {
        var d = await CurrentAsync();
        return new(VectorOf(d), ViewOf(d));
    }

    /// <summary>
    /// The durable state and view under <paramref name="modelVersion"/>, after this silo catches up with the registry
    /// when it serves another version; null when the actor was never stored (its state is the model's) or the silo
    /// still serves another version.
    /// </summary>
    protected async Task<ActorReading?> ReadStoredAsync(string modelVersion)
    {
        if (models.Current?.Version != modelVersion)
        {
            await models.RefreshAsync();
        }

        if ((await models.GetCurrentAsync()).Version != modelVersion)
        {
            return null;
        }

        await CurrentAsync();
        // The newest durable state, taken in this turn: at least as new as any update already sent to the index.
        var d = _durable;
        return _storage.RecordExists && d.ModelVersion == modelVersion ? new(VectorOf(d), ViewOf(d)) : null;
    }

    /// <summary>
    /// Records the prediction made before an update (kept for idempotent retries) and its error. Kept in memory and
    /// persisted with the actor's next write, or when the actor is collected for being idle: a live statistic, not an
    /// acknowledged fact (a silo that dies loses those recorded since its actors' last writes).
    /// </summary>
    public Task RecordPredictionAsync(string interactionId, float prediction, float? absoluteError)
    {
        S.Recent.RecordPrediction(interactionId, prediction);
        if (absoluteError is { } e)
        {
            S.ErrorSum += e;
            S.ErrorCount++;
        }

        _recordedSinceWrite = true;
        return Task.CompletedTask;
    }

    /// <summary>
    /// An actor collected for being idle first writes the predictions recorded since its last write, so a retry
    /// answered after it comes back still carries the first answer's prediction. Not on shutdown: a silo stopping
    /// would wait on a write per actor, and storage may be stopping with it.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode != DeactivationReasonCode.ActivationIdle || !_recordedSinceWrite || !_storage.RecordExists)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_failedWrite is null && _recordedSinceWrite)
            {
                await WriteAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Called after a durable change, with the model it was made under (items refresh the index).</summary>
    protected virtual Task OnUpdatedAsync(Durable current, LoadedModel model) => Task.CompletedTask;

    /// <summary>The durable state under the silo's current model, rebasing first when the actor's predates it.</summary>
    private async Task<Durable> CurrentAsync()
    {
        var model = await models.GetCurrentAsync();
        if (_durable.ModelVersion == model.Version)
        {
            return _durable;
        }

        await _gate.WaitAsync();
        try
        {
            if (_failedWrite is { } failed)
            {
                throw Unwritable(failed);
            }

            if (S.ModelVersion != model.Version)
            {
                await RebaseAsync(model);
                // A read of an actor nobody has written to creates no storage row: its state derives from the model.
                if (_storage.RecordExists)
                {
                    await WriteAsync();
                }

                _durable = Snapshot();
                if (_storage.RecordExists)
                {
                    await OnUpdatedAsync(_durable, model);
                }
            }

            return _durable;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task FlushAsync()
    {
        try
        {
            while (_queue.Count > 0)
            {
                await _gate.WaitAsync();
                var batch = _queue.ToArray();
                _queue.Clear();
                try
                {
                    var outcomes = await ApplyBatchAsync(batch.Select(b => b.Update).ToArray());
                    for (var k = 0; k < batch.Length; k++)
                    {
                        if (outcomes[k].Failure is { } failure)
                        {
                            batch[k].Done.SetException(failure);
                        }
                        else
                        {
                            batch[k].Done.SetResult(outcomes[k].Result!);
                        }
                    }
                }
                catch (Exception e)
                {
                    foreach (var (_, done) in batch)
                    {
                        done.TrySetException(e);
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        finally
        {
            _flushing = false;
        }
    }

    /// <summary>What one update of a batch came to: its result, or the failure of its own GRU step.</summary>
    private readonly record struct Outcome(ActorUpdateResult? Result, Exception? Failure);

    /// <summary>
    /// Applies a batch in order and makes it durable with one write; throws when that write fails. An update whose GRU
    /// step fails (a malformed feature, an ONNX error) changes nothing and fails alone: the rest of the batch is
    /// applied, stored and acknowledged.
    /// </summary>
    private async Task<Outcome[]> ApplyBatchAsync(ActorUpdate[] batch)
    {
        if (_failedWrite is { } failed)
        {
            throw Unwritable(failed);
        }

        // The registry's active version is authoritative: an actor moves only onto the version its silo serves, and
        // an update computed under any other version is sent back to be recomputed. An update computed under another
        // version means a swap is under way: the silo asks the registry first, in case it is the one behind.
        var model = await models.GetCurrentAsync();
        if (Array.Exists(batch, u => u.ModelVersion != model.Version))
        {
            await models.RefreshAsync();
            model = await models.GetCurrentAsync();
        }

        var results = new Outcome[batch.Length];
        var applied = 0;
        KeywordProfile? profile = null;
        for (var k = 0; k < batch.Length; k++)
        {
            var update = batch[k];
            // A retry is known by its id while the id window holds it (with the prediction recorded for it), and after
            // that by its sequence: the log gives a retried id its first sequence number (it remembers far more ids than
            // an actor), every sequence the actor applied since its model's watermark is pending, and every logged
            // sequence at or below the watermark of the model the update runs under is in that model's snapshot.
            var slot = S.Recent.Find(update.InteractionId);
            if (slot >= 0 || S.Pending.Contains(update.Sequence) || update.Sequence <= model.Watermark)
            {
                results[k] = new(new ActorUpdateResult(
                    UpdateStatus.Duplicate, S.State, S.Bias, S.ModelVersion, slot >= 0 ? S.Recent.PredictionAt(slot) : null), null);
                continue;
            }

            if (model.Version != update.ModelVersion)
            {
                results[k] = new(new ActorUpdateResult(UpdateStatus.VersionMismatch, [], S.Bias, model.Version, null), null);
                continue;
            }

            if (S.ModelVersion != model.Version)
            {
                await RebaseAsync(model);
                profile = null;
            }

            var previous = S.State;
            try
            {
                S.State = IsUser ? model.Runtime.StepUser(update.Feature, previous) : model.Runtime.StepItem(update.Feature, previous);
            }
            catch (Exception e)
            {
                results[k] = new(null, e);
                continue;
            }

            S.Interactions++;
            if (update.Rating is not null)
            {
                S.Ratings++;
            }

            if (update.Keywords.Length > 0)
            {
                profile ??= ProfileOf(S.Keywords);
                profile.Add(update.Keywords.Select(w => (w.Word, w.Weight)));
            }
            if (IsUser)
            {
                S.Counterparts.Add(update.Counterpart);
            }

            if (S.Pending.Add(new PendingInteraction(update.Sequence, update.Rating, update.HasReview)) is > 0 and var dropped)
            {
                metrics.PendingDropped(dropped);
            }

            S.Recent.Add(update.InteractionId);
            results[k] = new(new ActorUpdateResult(UpdateStatus.Applied, previous, S.Bias, S.ModelVersion, null), null);
            applied++;
        }

        if (profile is not null)
        {
            S.Keywords = KeywordsOf(profile);
        }

        if (applied > 0)
        {
            await WriteAsync();
            metrics.ActorWrite(applied);
            _durable = Snapshot();
            await OnUpdatedAsync(_durable, model);
        }

        return results;
    }

    private async Task WriteAsync()
    {
        try
        {
            await _storage.WriteAsync();
            _recordedSinceWrite = false;
        }
        catch (Exception e)
        {
            // Not durable, so not applied: this activation's memory is now ahead of storage. Refuse further updates and
            // deactivate, so a retry starts from storage (otherwise it would be answered as a duplicate of an update that
            // was never stored).
            _failedWrite = e;
            foreach (var (_, done) in _queue)
            {
                done.TrySetException(Unwritable(e));
            }

            _queue.Clear();
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// Takes the state the model's snapshot holds for this actor (or the learned initial state) and replays the
    /// actor's own interactions after the model's watermark under the model's weights (their reviews read back from
    /// the interaction log).
    /// </summary>
    private async Task RebaseAsync(LoadedModel model)
    {
        var record = IsUser ? model.User(Id) : model.Item(Id);
        var pending = S.Pending.RemoveThrough(model.Watermark);
        var texts = await reviews.GetAsync([.. pending.Where(p => p.HasReview).Select(p => p.Sequence)], model.Watermark);
        // Encode concurrently so the silo's encoder batches them.
        var encoded = await Task.WhenAll(pending.Select(p => p.HasReview ? EncodeAsync(texts[p.Sequence]) : Task.FromResult<EncodedText?>(null)));

        // Computed aside and assigned at the end, so a failure leaves the actor as it was.
        var current = record?.State ?? (IsUser ? model.UserInitial : model.ItemInitial);
        var profile = ProfileOf([.. (record?.Keywords ?? []).Select(k => new Keyword(k.Word, k.Weight))]);
        for (var k = 0; k < pending.Count; k++)
        {
            var review = encoded[k];
            var feature = model.Runtime.Encode(new InteractionInput(review?.Vectors ?? [], review?.Length ?? 0, pending[k].Rating));
            current = IsUser ? model.Runtime.StepUser(feature.Feature, current) : model.Runtime.StepItem(feature.Feature, current);
            if (review is not null)
            {
                profile.Add(KeywordExtractor.Extract(review.Pieces, feature.Attention, model.Vocabulary));
            }
        }

        S.State = current;
        S.Bias = record?.Bias ?? 0f;
        S.Keywords = KeywordsOf(profile);
        if (record is not null)
        {
            // The snapshot counts every logged interaction up to its watermark, the pending ones every applied one after
            // it. Together they can exceed what this actor counted: an interaction logged but never applied here (the
            // silo died in between) is in the snapshot, and its retry is then answered as already in the model.
            S.Interactions = Math.Max(S.Interactions, record.Count + pending.Count);
            if (record.Ratings is { } ratings)
            {
                S.Ratings = Math.Max(S.Ratings, ratings + pending.Count(p => p.Rating is not null));
            }
        }

        S.ModelVersion = model.Version;
    }

    private async Task<EncodedText?> EncodeAsync(string text) => await encoder.EncodeAsync(text);

    private ActorVector VectorOf(Durable d) => new(Id, d.State, d.Bias, d.ModelVersion);

    private ActorView ViewOf(Durable d) =>
        new(Id, d.ModelVersion, d.Interactions, d.Ratings, d.Keywords, S.ErrorCount == 0 ? null : S.ErrorSum / S.ErrorCount, Known: d.Interactions > 0);

    private Durable Snapshot() => new(S.ModelVersion, S.State, S.Bias, S.Interactions, S.Ratings, S.Keywords);

    private InvalidOperationException Unwritable(Exception cause) =>
        new($"Actor {Id} could not store its state and is reloading; retry the request.", cause);

    private static KeywordProfile ProfileOf(Keyword[] keywords) =>
        new(KeywordProfile.DefaultCapacity, [.. keywords.Select(k => new KeywordWeight(k.Word, k.Weight))]);

    private static Keyword[] KeywordsOf(KeywordProfile profile) => [.. profile.Entries.Select(k => new Keyword(k.Word, k.Weight))];
}
