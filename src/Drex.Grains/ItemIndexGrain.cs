using System.Numerics.Tensors;
using Drex.Contracts;
using Drex.Grains.Services;
using Drex.Model.Bundle;
using Orleans.Concurrency;

namespace Drex.Grains;

/// <summary>
/// One partition of the in-memory item index: item states in one contiguous matrix, scored with SIMD dot
/// products. Loaded from the served model's snapshot (split by partition once per silo when the model loads) on activation and on a model swap, and kept current by item
/// grains after every durable update. Volatile by design: it is rebuilt from the snapshot and the items' updates.
/// </summary>
[Reentrant]
public sealed class ItemIndexGrain(ModelHost models) : Grain, IItemIndexGrain
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private float[] _states = [];
    private float[] _biases = [];
    private int _hidden;
    private string _version = "";

    public async Task UpsertAsync(ActorVector item)
    {
        await EnsureVersionAsync(item.ModelVersion);
        if (item.ModelVersion == _version)
        {
            Set(item.Id, item.State, item.Bias);
        }
    }

    public async Task<ScoredItem[]> TopAsync(float[] user, float userBias, int k, string[] exclude, string modelVersion)
    {
        await EnsureVersionAsync(modelVersion);
        if (modelVersion != _version || user.Length != _hidden)
        {
            return [];
        }

        var model = await models.GetAsync(_version);
        var excluded = exclude.ToHashSet(StringComparer.Ordinal);
        var scores = new float[_ids.Count];
        for (var s = 0; s < scores.Length; s++)
        {
            scores[s] = TensorPrimitives.Dot(user, _states.AsSpan(s * _hidden, _hidden)) * model.DotScale + _biases[s];
        }

        var baseline = model.Settings.GlobalMean + userBias + model.DotShift;
        if (model.Settings.Head == RatingHead.Dot)
        {
            return TopK(scores, k, excluded).Select(s => new ScoredItem(_ids[s], model.Settings.Clamp(scores[s] + baseline))).ToArray();
        }

        // DReX-MLP: the dot product proposes candidates, the MLP head re-ranks them.
        var candidates = TopK(scores, Math.Max(k * 10, 100), excluded).ToArray();
        var n = candidates.Length;
        var users = new float[n * _hidden];
        var items = new float[n * _hidden];
        for (var c = 0; c < n; c++)
        {
            user.CopyTo(users, c * _hidden);
            _states.AsSpan(candidates[c] * _hidden, _hidden).CopyTo(items.AsSpan(c * _hidden));
        }

        var ratings = n == 0 ? [] : model.Runtime.Predict(RatingHead.Mlp, users, new float[n], items, new float[n], n);
        return candidates.Select((s, c) => new ScoredItem(_ids[s], ratings[c]))
            .OrderByDescending(x => x.Score).ThenBy(x => x.ItemId, StringComparer.Ordinal).Take(k).ToArray();
    }

    public Task<int> CountAsync() => Task.FromResult(_ids.Count);

    private IEnumerable<int> TopK(float[] scores, int k, HashSet<string> excluded)
    {
        var heap = new PriorityQueue<int, float>();
        for (var s = 0; s < scores.Length; s++)
        {
            if (excluded.Contains(_ids[s]))
            {
                continue;
            }

            if (heap.Count < k)
            {
                heap.Enqueue(s, scores[s]);
            }
            else if (scores[s] > scores[heap.Peek()])
            {
                heap.DequeueEnqueue(s, scores[s]);
            }
        }

        var best = new List<int>(heap.Count);
        while (heap.Count > 0)
        {
            best.Add(heap.Dequeue());
        }

        best.Reverse();
        return best;
    }

    /// <summary>On the first call and after a model swap: reload this partition from the served model's snapshot.</summary>
    private async Task EnsureVersionAsync(string requested)
    {
        var current = await models.GetCurrentAsync();
        if (_version == current.Version || requested != current.Version)
        {
            return;
        }

        var mine = current.IndexPartitions[(int)this.GetPrimaryKeyLong()];
        _hidden = current.Settings.HiddenDim;
        // Own copies with room to grow: item grains upsert into them.
        var capacity = Math.Max(16, mine.Count + (mine.Count / 8));
        _states = new float[capacity * _hidden];
        _biases = new float[capacity];
        _ids.Clear();
        _slots.Clear();
        _slots.EnsureCapacity(mine.Count);
        for (var slot = 0; slot < mine.Count; slot++)
        {
            var id = mine.Id(slot);
            _ids.Add(id);
            _slots[id] = slot;
            mine.State(slot).CopyTo(_states.AsSpan(slot * _hidden, _hidden));
            _biases[slot] = mine.Bias(slot);
        }

        _version = current.Version;
    }

    private void Set(string id, float[] state, float bias)
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
            }
        }

        state.AsSpan().CopyTo(_states.AsSpan(slot * _hidden, _hidden));
        _biases[slot] = bias;
    }
}
