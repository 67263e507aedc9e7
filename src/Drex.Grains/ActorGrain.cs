using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Bundle;
using Drex.Model.Keywords;
using Drex.Model.Runtime;

namespace Drex.Grains;

/// <summary>
/// What users and items share: deduplicated GRU updates under one model version, rebasing onto newer versions
/// (snapshot state plus replay of the actor's own later interactions), keyword profiles and durable state.
/// Not reentrant: one update at a time per actor, each durable before it is acknowledged.
/// </summary>
public abstract class ActorGrain(IPersistentState<ActorState> state, ModelHost models, ReviewEncodingService encoder) : Grain
{
    /// <summary>How many recent interaction ids each actor remembers for deduplication.</summary>
    public const int RecentCapacity = 1024;

    protected ActorState S => state.State;

    protected string Id => this.GetPrimaryKeyString();

    /// <summary>True for users (user GRU cell, user snapshot), false for items.</summary>
    protected abstract bool IsUser { get; }

    public async Task<ActorUpdateResult> ApplyAsync(ActorUpdate update)
    {
        if (S.Recent.Find(r => r.Id == update.InteractionId) is { } seen)
        {
            return new ActorUpdateResult(UpdateStatus.Duplicate, S.State, S.Bias, S.ModelVersion, seen.Prediction);
        }

        // The registry's active version is authoritative: an actor moves only onto the version its silo serves, and
        // an update computed under any other version is sent back to be recomputed.
        var model = await models.GetCurrentAsync();
        if (model.Version != update.ModelVersion)
        {
            return new ActorUpdateResult(UpdateStatus.VersionMismatch, [], S.Bias, model.Version, null);
        }

        if (S.ModelVersion != model.Version)
        {
            await RebaseAsync(model);
        }

        var previous = S.State;
        S.State = IsUser ? model.Runtime.StepUser(update.Feature, previous) : model.Runtime.StepItem(update.Feature, previous);
        S.Interactions++;
        if (update.Rating is not null)
        {
            S.Ratings++;
        }

        AddKeywords(update.Keywords.Select(k => (k.Word, k.Weight)));
        S.Counterparts.Add(update.Counterpart);
        S.Pending.Add(new PendingInteraction(update.Sequence, update.InteractionId, update.Counterpart, update.Rating, update.Review));
        S.Recent.Add(new RecentInteraction { Id = update.InteractionId });
        if (S.Recent.Count > RecentCapacity)
        {
            S.Recent.RemoveRange(0, S.Recent.Count - RecentCapacity);
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not durable, so not applied: drop this activation's in-memory state so a retry starts from storage
            // (otherwise the retry would be answered as a duplicate of an update that was never stored).
            DeactivateOnIdle();
            throw;
        }

        await OnUpdatedAsync();
        return new ActorUpdateResult(UpdateStatus.Applied, previous, S.Bias, S.ModelVersion, null);
    }

    public async Task<ActorVector> GetVectorAsync()
    {
        await EnsureCurrentAsync();
        return new ActorVector(Id, S.State, S.Bias, S.ModelVersion);
    }

    public async Task<ActorView> GetViewAsync()
    {
        await EnsureCurrentAsync();
        return new ActorView(
            Id, S.ModelVersion, S.Interactions, S.Ratings, [.. S.Keywords],
            S.ErrorCount == 0 ? null : S.ErrorSum / S.ErrorCount,
            Known: S.Interactions > 0);
    }

    /// <summary>Called after a durable update (items refresh the index).</summary>
    protected virtual Task OnUpdatedAsync() => Task.CompletedTask;

    /// <summary>Rebases onto the silo's current model when this actor's state predates it.</summary>
    protected async Task EnsureCurrentAsync()
    {
        var current = await models.GetCurrentAsync();
        if (S.ModelVersion != current.Version)
        {
            await RebaseAsync(current);
            // A read of an actor nobody has written to creates no storage row: its state derives from the model.
            if (state.RecordExists)
            {
                await state.WriteStateAsync();
                await OnUpdatedAsync();
            }
        }
    }

    /// <summary>
    /// Takes the state the model's snapshot holds for this actor (or the learned initial state) and replays the
    /// actor's own interactions after the model's watermark under the model's weights.
    /// </summary>
    private async Task RebaseAsync(LoadedModel model)
    {
        var first = S.ModelVersion.Length == 0;
        var record = IsUser ? model.User(Id) : model.Item(Id);
        S.State = record?.State ?? (IsUser ? model.UserInitial : model.ItemInitial);
        S.Bias = record?.Bias ?? 0f;
        S.Keywords = [.. (record?.Keywords ?? []).Select(k => new Keyword(k.Word, k.Weight))];
        S.Pending.RemoveAll(p => p.Sequence <= model.Watermark);
        if (first && record is not null)
        {
            S.Interactions = record.Count;
        }

        foreach (var p in S.Pending)
        {
            var review = string.IsNullOrWhiteSpace(p.Review) ? null : await encoder.EncodeAsync(p.Review);
            var feature = model.Runtime.Encode(new InteractionInput(review?.Vectors ?? [], review?.Length ?? 0, p.Rating));
            S.State = IsUser ? model.Runtime.StepUser(feature.Feature, S.State) : model.Runtime.StepItem(feature.Feature, S.State);
            if (review is not null)
            {
                AddKeywords(KeywordExtractor.Extract(review.Pieces, feature.Attention, model.Vocabulary));
            }
        }

        S.ModelVersion = model.Version;
    }

    /// <summary>
    /// Records the prediction made before an update (kept for idempotent retries) and its error. Kept in memory and
    /// persisted with the actor's next update: a live statistic, not an acknowledged fact.
    /// </summary>
    public Task RecordPredictionAsync(string interactionId, float prediction, float? absoluteError)
    {
        if (S.Recent.Find(r => r.Id == interactionId) is { } recent)
        {
            recent.Prediction = prediction;
        }

        if (absoluteError is { } e)
        {
            S.ErrorSum += e;
            S.ErrorCount++;
        }

        return Task.CompletedTask;
    }

    private void AddKeywords(IEnumerable<(string Word, float Weight)> words)
    {
        var profile = new KeywordProfile(KeywordProfile.DefaultCapacity, [.. S.Keywords.Select(k => new KeywordWeight(k.Word, k.Weight))]);
        profile.Add(words);
        S.Keywords = [.. profile.Entries.Select(k => new Keyword(k.Word, k.Weight))];
    }
}
