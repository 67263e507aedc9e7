using System.Diagnostics;
using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Bundle;
using Drex.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>
/// One partition of the in-memory item index: its items' rows (<see cref="ItemMatrix"/>: int8 codes scanned first,
/// float states to rescore the best), and the keyword profiles that explain the items it returns. Its rows of a model
/// are built from the model's snapshot (split by partition once per silo when the model loads) before the model is
/// served, when the registry asks while it validates a publish, or else on the first call under it; item grains keep
/// them current after every durable update. Volatile by design: it is rebuilt from the snapshot and the items'
/// updates. Kept alive while its silo runs, so an idle spell does not drop the updates it holds.
/// <para>
/// Rows built from a snapshot lack what items learnt after the model's watermark: on a swap, items whose silos have
/// not touched them since, and after this partition is rebuilt elsewhere (its silo stopped), every item updated since
/// the model was trained, and items new since then are missing altogether. So when it starts serving a version, the
/// partition catches up in the background: it reads the interaction log after the version's watermark and asks each
/// of its items named there for its durable state and profile (<see cref="IItemGrain.ReadForIndexAsync"/>). An update
/// that arrives meanwhile is at least as new as what the catch-up reads, so its state wins.
/// </para>
/// Spread over the silos (<see cref="SpreadPlacement"/>): a large model's partitions are scanned in parallel.
/// </summary>
[Reentrant, KeepAlive, SpreadPlacement]
public sealed partial class ItemIndexGrain(ModelHost models, IInteractionLogStore log, GrainReferences grains, ILogger<ItemIndexGrain> logger)
    : Grain, IItemIndexGrain
{
    /// <summary>Items a catch-up reads at once.</summary>
    private const int CatchUpConcurrency = 64;

    // Profiles sent by item grains, by slot; a slot without one explains with its snapshot profile (or none, for a new item).
    private Dictionary<int, Keyword[]> _sentKeywords = [];
    private ItemMatrix? _rows;
    private string _version = "";
    // The rows being built (or built) for a version this partition does not serve yet, and the updates they took.
    private Prepared? _next;
    // The served version's catch-up with the log (completed when none ran), and the items updated while it runs.
    private Task<int> _catchUp = Task.FromResult(0);
    private HashSet<string>? _updatedDuringCatchUp;

    public async Task UpsertAsync(ActorVector item, Keyword[]? keywords)
    {
        await EnsureVersionAsync(item.ModelVersion);
        var (rows, sent) = item.ModelVersion == _version ? (_rows, _sentKeywords) : (null, null);
        if (rows is null && _next is { } next && next.Version == item.ModelVersion)
        {
            // An update under the version this partition is preparing: its item's silo swapped before this one did.
            // The prepared rows take it, so the swap does not lose it.
            (rows, sent) = (await next.Rows, next.Keywords);
        }

        if (rows is null)
        {
            return;
        }

        var slot = rows.Set(item.Id, item.State, item.Bias);
        if (keywords is not null)
        {
            sent![slot] = keywords;
        }

        if (ReferenceEquals(rows, _rows))
        {
            _updatedDuringCatchUp?.Add(item.Id);
        }
    }

    public async Task<ScoredItem[]> TopAsync(float[] user, float userBias, int k, string[] exclude, string modelVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        await EnsureVersionAsync(modelVersion);
        var model = modelVersion == _version ? await models.GetAsync(_version) : null;
        // Checked after the last await: from here on nothing interleaves, so the rows and profiles stay those of this version.
        if (model is null || modelVersion != _version || _rows is not { } rows || user.Length != rows.Hidden)
        {
            return [];
        }

        var baseline = model.Settings.GlobalMean + userBias + model.DotShift;
        if (model.Settings.Head == RatingHead.Dot)
        {
            return [.. rows.Best(user, model.DotScale, k, exclude).Select(b => Scored(b.Slot, model.Settings.Clamp(b.Score + baseline)))];
        }

        // DReX-MLP: the dot product proposes candidates, the MLP head re-ranks them.
        var candidates = rows.Best(user, model.DotScale, Math.Max(k * 10, 100), exclude);
        var n = candidates.Length;
        var hidden = rows.Hidden;
        var users = new float[n * hidden];
        var items = new float[n * hidden];
        for (var c = 0; c < n; c++)
        {
            user.CopyTo(users, c * hidden);
            rows.CopyState(candidates[c].Slot, items.AsSpan(c * hidden, hidden));
        }

        var ratings = n == 0 ? [] : model.Runtime.Predict(RatingHead.Mlp, users, new float[n], items, new float[n], n);
        return [.. candidates.Select((b, c) => (b.Slot, Rating: ratings[c]))
            .OrderByDescending(x => x.Rating).ThenBy(x => rows.Id(x.Slot), StringComparer.Ordinal).Take(k)
            .Select(x => Scored(x.Slot, x.Rating))];
    }

    public Task<int> CountAsync() => Task.FromResult(_rows?.Count ?? 0);

    public async Task<int> CatchUpAsync(string modelVersion)
    {
        await EnsureVersionAsync(modelVersion);
        return modelVersion == _version ? await _catchUp : 0;
    }

    private ScoredItem Scored(int slot, float score) => new(_rows!.Id(slot), score, KeywordsOf(slot));

    private Keyword[] KeywordsOf(int slot)
    {
        if (_sentKeywords.TryGetValue(slot, out var sent))
        {
            return sent;
        }

        var profile = _rows!.Snapshot is { } snapshot && slot < snapshot.Count ? snapshot.Keywords(slot) : [];
        var keywords = new Keyword[profile.Length];
        for (var n = 0; n < profile.Length; n++)
        {
            keywords[n] = new Keyword(profile[n].Word, profile[n].Weight);
        }

        return keywords;
    }

    public async Task PrepareAsync(string modelVersion)
    {
        if (_version != modelVersion)
        {
            await Prepare(await models.GetAsync(modelVersion)).Rows;
        }
    }

    /// <summary>On the first call and after a model swap: reload this partition from the served model's snapshot.</summary>
    private async Task EnsureVersionAsync(string requested)
    {
        var current = await models.GetCurrentAsync();
        if (_version == current.Version || requested != current.Version)
        {
            return;
        }

        var next = Prepare(current);
        var rows = await next.Rows;
        // Calls interleave while the rows are built: switch once, and never back to a version the silo has left.
        if (_version != current.Version && models.Current == current)
        {
            _rows = rows;
            _sentKeywords = next.Keywords;
            _version = current.Version;
            _next = null;
            _catchUp = CatchUpWithLogAsync(current, rows);
        }
    }

    /// <summary>
    /// Brings the rows of the served version up to date with the items the log shows updated after its watermark;
    /// returns how many were read. Runs alongside queries and updates; a failure leaves those rows as they were and is
    /// logged (their items' next updates refresh them).
    /// </summary>
    private async Task<int> CatchUpWithLogAsync(LoadedModel model, ItemMatrix rows)
    {
        var watch = Stopwatch.StartNew();
        var index = (int)this.GetPrimaryKeyLong();
        var count = model.IndexPartitions.Count;
        var updated = _updatedDuringCatchUp = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var items = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var record in log.ReadAsync(model.Watermark))
            {
                if (ItemPartition.Of(record.Interaction.ItemId, count) == index)
                {
                    items.Add(record.Interaction.ItemId);
                }
            }

            var (failed, firstFailure) = (0, (Exception?)null);
            foreach (var chunk in items.Chunk(CatchUpConcurrency))
            {
                var readings = await Task.WhenAll(chunk.Select(async id =>
                {
                    try
                    {
                        return await grains.Get<IItemGrain>(id).ReadForIndexAsync(model.Version);
                    }
                    catch (Exception e)
                    {
                        // One item's silo failing does not stop the others' catch-up; that item's next update refreshes its row.
                        (failed, firstFailure) = (failed + 1, firstFailure ?? e);
                        return null;
                    }
                }));
                if (!ReferenceEquals(rows, _rows))
                {
                    return 0; // another version is served now; it catches up on its own
                }

                foreach (var reading in readings)
                {
                    if (reading is not { Vector: var vector, View: var view })
                    {
                        continue;
                    }

                    if (!updated.Contains(vector.Id))
                    {
                        _sentKeywords[rows.Set(vector.Id, vector.State, vector.Bias)] = view.Keywords;
                    }
                    else if (rows.SlotOf(vector.Id) is var slot and >= 0)
                    {
                        // Its update's state stands. So does its profile, unless the update came without one (unchanged
                        // since the item last sent it, perhaps to this partition's previous activation).
                        _sentKeywords.TryAdd(slot, view.Keywords);
                    }
                }
            }

            if (firstFailure is not null)
            {
                LogCatchUpIncomplete(firstFailure, index, failed, items.Count, model.Version);
            }

            LogCaughtUp(index, items.Count - failed, model.Version, watch.ElapsedMilliseconds);
            return items.Count - failed;
        }
        catch (Exception e)
        {
            // A background task: whatever the log store throws is logged here, never lost unobserved.
            LogCatchUpFailed(e, index, model.Version);
            return 0;
        }
        finally
        {
            if (ReferenceEquals(_updatedDuringCatchUp, updated))
            {
                _updatedDuringCatchUp = null;
            }
        }
    }

    /// <summary>
    /// This partition's rows of a model, built once per version on the thread pool (a million-item model's partition
    /// quantizes 125,000 rows), so queries of the served version go on meanwhile.
    /// </summary>
    private Prepared Prepare(LoadedModel model)
    {
        if (_next is { } next && next.Version == model.Version && !next.Rows.IsFaulted)
        {
            return next;
        }

        // A partition the model does not use (it has fewer partitions) holds nothing under it.
        var index = (int)this.GetPrimaryKeyLong();
        var mine = index < model.IndexPartitions.Count ? model.IndexPartitions[index] : null;
        var rows = Task.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            // Snapshot slots come first, in order; item grains' updates replace them and add new items after them.
            var built = new ItemMatrix(model.Settings.HiddenDim, mine);
            LogLoaded(index, built.Count, model.Version, watch.ElapsedMilliseconds);
            return built;
        });
        return _next = new Prepared(model.Version, rows, []);
    }

    /// <param name="Keywords">The profiles that updates sent for these rows, by slot.</param>
    private sealed record Prepared(string Version, Task<ItemMatrix> Rows, Dictionary<int, Keyword[]> Keywords);

    [LoggerMessage(Level = LogLevel.Information, Message = "Item index partition {Partition} built its {Items} items of model {Version} in {Ms} ms")]
    private partial void LogLoaded(int partition, int items, string version, long ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Item index partition {Partition} caught up with {Items} items updated after the watermark of model {Version} in {Ms} ms")]
    private partial void LogCaughtUp(int partition, int items, string version, long ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Item index partition {Partition} could not read the interaction log to catch up under model {Version}; its items' next updates refresh their rows")]
    private partial void LogCatchUpFailed(Exception exception, int partition, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Item index partition {Partition} could not read {Failed} of {Items} items to catch up under model {Version}; their next updates refresh their rows")]
    private partial void LogCatchUpIncomplete(Exception exception, int partition, int failed, int items, string version);
}
