using System.Numerics.Tensors;
using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Bundle;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>
/// One partition of the in-memory item index: item states in one contiguous matrix, scored with SIMD dot products,
/// and the keyword profiles that explain the items it returns. Loaded from the served model's snapshot (split by
/// partition once per silo when the model loads) on activation and on a model swap, and kept current by item grains
/// after every durable update. Volatile by design: it is rebuilt from the snapshot and the items' updates. Kept
/// alive while its silo runs, so an idle spell does not drop the updates it holds.
/// </summary>
[Reentrant, KeepAlive]
public sealed class ItemIndexGrain(ModelHost models) : Grain, IItemIndexGrain
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private ItemPartition? _snapshot;
    private float[] _states = [];
    private float[] _biases = [];
    // Profiles sent by item grains; a slot without one explains with its snapshot profile (or none, for a new item).
    private Keyword[]?[] _keywords = [];
    private int _hidden;
    private string _version = "";

    public async Task UpsertAsync(ActorVector item, Keyword[]? keywords)
    {
        await EnsureVersionAsync(item.ModelVersion);
        if (item.ModelVersion == _version)
        {
            Set(item.Id, item.State, item.Bias, keywords);
        }
    }

    public async Task<ScoredItem[]> TopAsync(float[] user, float userBias, int k, string[] exclude, string modelVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        await EnsureVersionAsync(modelVersion);
        if (modelVersion != _version || user.Length != _hidden)
        {
            return [];
        }

        var model = await models.GetAsync(_version);
        var baseline = model.Settings.GlobalMean + userBias + model.DotShift;
        if (model.Settings.Head == RatingHead.Dot)
        {
            return [.. Best(user, model.DotScale, k, exclude).Select(b => Scored(b.Slot, model.Settings.Clamp(b.Score + baseline)))];
        }

        // DReX-MLP: the dot product proposes candidates, the MLP head re-ranks them.
        var candidates = Best(user, model.DotScale, Math.Max(k * 10, 100), exclude);
        var n = candidates.Length;
        var users = new float[n * _hidden];
        var items = new float[n * _hidden];
        for (var c = 0; c < n; c++)
        {
            user.CopyTo(users, c * _hidden);
            _states.AsSpan(candidates[c].Slot * _hidden, _hidden).CopyTo(items.AsSpan(c * _hidden));
        }

        var ratings = n == 0 ? [] : model.Runtime.Predict(RatingHead.Mlp, users, new float[n], items, new float[n], n);
        return [.. candidates.Select((b, c) => (b.Slot, Rating: ratings[c]))
            .OrderByDescending(x => x.Rating).ThenBy(x => _ids[x.Slot], StringComparer.Ordinal).Take(k)
            .Select(x => Scored(x.Slot, x.Rating))];
    }

    public Task<int> CountAsync() => Task.FromResult(_ids.Count);

    /// <summary>
    /// The <paramref name="k"/> best-scoring slots (dot product times <paramref name="scale"/> plus the item's bias),
    /// best first, in one pass without a score array. An excluded item is looked up by slot, and only when its score
    /// would enter the heap, so a scan costs no string hashing per item.
    /// </summary>
    private (int Slot, float Score)[] Best(float[] user, float scale, int k, string[] exclude)
    {
        var excluded = new HashSet<int>();
        foreach (var id in exclude)
        {
            if (_slots.TryGetValue(id, out var slot))
            {
                excluded.Add(slot);
            }
        }

        var heap = new PriorityQueue<int, float>(k + 1);
        var floor = float.NegativeInfinity;
        var states = _states.AsSpan();
        for (var s = 0; s < _ids.Count; s++)
        {
            var score = TensorPrimitives.Dot(user, states.Slice(s * _hidden, _hidden)) * scale + _biases[s];
            if ((heap.Count == k && score <= floor) || excluded.Contains(s))
            {
                continue;
            }

            if (heap.Count < k)
            {
                heap.Enqueue(s, score);
            }
            else
            {
                heap.DequeueEnqueue(s, score);
            }

            if (heap.Count == k)
            {
                heap.TryPeek(out _, out floor);
            }
        }

        var best = new (int Slot, float Score)[heap.Count];
        for (var n = best.Length - 1; n >= 0; n--)
        {
            heap.TryDequeue(out best[n].Slot, out best[n].Score);
        }

        return best;
    }

    private ScoredItem Scored(int slot, float score) => new(_ids[slot], score, KeywordsOf(slot));

    private Keyword[] KeywordsOf(int slot)
    {
        if (_keywords[slot] is { } sent)
        {
            return sent;
        }

        var profile = _snapshot is { } snapshot && slot < snapshot.Count ? snapshot.Keywords(slot) : [];
        var keywords = new Keyword[profile.Length];
        for (var n = 0; n < profile.Length; n++)
        {
            keywords[n] = new Keyword(profile[n].Word, profile[n].Weight);
        }

        return keywords;
    }

    /// <summary>On the first call and after a model swap: reload this partition from the served model's snapshot.</summary>
    private async Task EnsureVersionAsync(string requested)
    {
        var current = await models.GetCurrentAsync();
        if (_version == current.Version || requested != current.Version)
        {
            return;
        }

        // A partition the model does not use (it has fewer partitions) holds nothing under it.
        var index = (int)this.GetPrimaryKeyLong();
        var mine = index < current.IndexPartitions.Count ? current.IndexPartitions[index] : null;
        var count = mine?.Count ?? 0;
        _hidden = current.Settings.HiddenDim;
        // Own copies with room to grow: item grains upsert into them.
        var capacity = Math.Max(16, count + (count / 8));
        _states = new float[capacity * _hidden];
        _biases = new float[capacity];
        _keywords = new Keyword[]?[capacity];
        _ids.Clear();
        _slots.Clear();
        _slots.EnsureCapacity(count);
        for (var slot = 0; slot < count; slot++)
        {
            var id = mine!.Id(slot);
            _ids.Add(id);
            _slots[id] = slot;
            mine.State(slot).CopyTo(_states.AsSpan(slot * _hidden, _hidden));
            _biases[slot] = mine.Bias(slot);
        }

        _snapshot = mine;
        _version = current.Version;
    }

    private void Set(string id, float[] state, float bias, Keyword[]? keywords)
    {
        if (!_slots.TryGetValue(id, out var slot))
        {
            slot = _ids.Count;
            _slots[id] = slot;
            _ids.Add(id);
            if (_biases.Length <= slot)
            {
                Array.Resize(ref _biases, _biases.Length * 2);
                Array.Resize(ref _states, _biases.Length * _hidden);
                Array.Resize(ref _keywords, _biases.Length);
            }
        }

        state.AsSpan().CopyTo(_states.AsSpan(slot * _hidden, _hidden));
        _biases[slot] = bias;
        if (keywords is not null)
        {
            _keywords[slot] = keywords;
        }
    }
}
