using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Drex.Grains.Services;

/// <summary>
/// The rows of one item-index partition: biases and each state's int8 codes in contiguous arrays that grow as items
/// arrive, and the ids and float states. Those start as the model snapshot's own (not copied: a partition of a
/// million-item model would copy 32 MB of states and hash 125,000 ids, which the snapshot's id index already holds);
/// an item's first update gives its state a row of its own, and a new item its id. Top-k runs in two passes: a scan
/// of the codes (a quarter of the floats' bytes: a large catalog's scan is bound by memory) keeps a few more
/// candidates than asked, and their float states rescore them exactly. Built on one thread and then used on its
/// grain's, one call at a time: not thread-safe.
/// </summary>
public sealed class ItemMatrix
{
    /// <summary>Candidates the first pass keeps beyond k (at least; 4k when larger): quantization moves a score by far less than the gap they leave.</summary>
    public const int CandidateMargin = 32;

    // Items the snapshot partition does not hold, by id, and their ids by slot after the snapshot's.
    private readonly Dictionary<string, int> _newSlots = new(StringComparer.Ordinal);
    private readonly List<string> _newIds = [];
    private float[] _biases;
    private sbyte[] _codes;
    private float[] _codeScales;
    // For each slot, its row in _owned, or -1 while its state is still the snapshot's row.
    private int[] _ownedRow;
    private float[] _owned;
    private int _ownedCount;

    /// <summary>An index of the snapshot partition's items (none: an empty index), with room for as many again over an eighth.</summary>
    public ItemMatrix(int hidden, ItemPartition? snapshot)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        var count = snapshot?.Count ?? 0;
        if (count > 0 && snapshot!.Items.Hidden != hidden)
        {
            throw new ArgumentException($"The snapshot's states hold {snapshot.Items.Hidden} values; the index holds {hidden}.", nameof(snapshot));
        }

        Hidden = hidden;
        Snapshot = snapshot;
        var capacity = Math.Max(16, count + (count / 8));
        _biases = new float[capacity];
        _codes = new sbyte[capacity * hidden];
        _codeScales = new float[capacity];
        _ownedRow = new int[capacity];
        _owned = new float[16 * hidden];
        var state = new float[hidden];
        for (var slot = 0; slot < count; slot++)
        {
            snapshot!.CopyState(slot, state);
            _biases[slot] = snapshot.Bias(slot);
            _codeScales[slot] = Int8Rows.Quantize(state, _codes.AsSpan(slot * hidden, hidden));
            _ownedRow[slot] = -1;
        }
    }

    public int Hidden { get; }

    /// <summary>The snapshot partition the index started from (its slots come first, in order), if any.</summary>
    public ItemPartition? Snapshot { get; }

    // The snapshot's items take the first slots.
    private int SnapshotCount => Snapshot?.Count ?? 0;

    public int Count => SnapshotCount + _newIds.Count;

    public string Id(int slot) => slot < SnapshotCount ? Snapshot!.Id(slot) : _newIds[slot - SnapshotCount];

    /// <summary>The slot of an item, or -1.</summary>
    public int SlotOf(string id) =>
        _newSlots.TryGetValue(id, out var slot) ? slot : Snapshot is { } snapshot ? snapshot.SlotOf(id) : -1;

    public void CopyState(int slot, Span<float> destination)
    {
        if (_ownedRow[slot] is var row and >= 0)
        {
            _owned.AsSpan(row * Hidden, Hidden).CopyTo(destination);
        }
        else
        {
            Snapshot!.CopyState(slot, destination);
        }
    }

    /// <summary>Adds or replaces an item's row and returns its slot (slots are given in order of arrival and kept).</summary>
    public int Set(string id, ReadOnlySpan<float> state, float bias)
    {
        if (state.Length != Hidden)
        {
            throw new ArgumentException($"Item {id} has a state of {state.Length} values; the index holds {Hidden}.", nameof(state));
        }

        var slot = SlotOf(id);
        if (slot < 0)
        {
            slot = Count;
            if (_biases.Length == slot)
            {
                var capacity = slot * 2;
                Array.Resize(ref _biases, capacity);
                Array.Resize(ref _codeScales, capacity);
                Array.Resize(ref _ownedRow, capacity);
                Array.Resize(ref _codes, capacity * Hidden);
            }

            _newSlots[id] = slot;
            _newIds.Add(id);
            _ownedRow[slot] = -1;
        }

        if (_ownedRow[slot] < 0)
        {
            if (_owned.Length == _ownedCount * Hidden)
            {
                Array.Resize(ref _owned, _owned.Length * 2);
            }

            _ownedRow[slot] = _ownedCount++;
        }

        state.CopyTo(_owned.AsSpan(_ownedRow[slot] * Hidden, Hidden));
        _biases[slot] = bias;
        _codeScales[slot] = Int8Rows.Quantize(state, _codes.AsSpan(slot * Hidden, Hidden));
        return slot;
    }

    /// <summary>
    /// The <paramref name="k"/> best slots by <c>scale * (user . state) + bias</c>, best first (ties by id), leaving
    /// out <paramref name="exclude"/>. Excluded ids are looked up once, and checked only for rows whose score would
    /// enter the heap, so a scan hashes no ids.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (int Slot, float Score)[] Best(ReadOnlySpan<float> user, float scale, int k, IEnumerable<string> exclude)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (user.Length != Hidden)
        {
            throw new ArgumentException($"A user state of {user.Length} values; the index holds {Hidden}.", nameof(user));
        }

        var excluded = new HashSet<int>();
        foreach (var id in exclude)
        {
            if (SlotOf(id) is var slot and >= 0)
            {
                excluded.Add(slot);
            }
        }

        var wanted = Math.Max(4 * k, k + CandidateMargin);
        var userCodes = new sbyte[Hidden];
        var userScale = Int8Rows.Quantize(user, userCodes);
        var heap = new PriorityQueue<int, float>(wanted + 1);
        var floor = float.NegativeInfinity;
        var codes = _codes.AsSpan();
        var count = Count;
        for (var s = 0; s < count; s++)
        {
            var approximate = Int8Rows.Dot(userCodes, codes.Slice(s * Hidden, Hidden)) * userScale * _codeScales[s] * scale + _biases[s];
            if ((heap.Count == wanted && approximate <= floor) || excluded.Contains(s))
            {
                continue;
            }

            if (heap.Count < wanted)
            {
                heap.Enqueue(s, approximate);
            }
            else
            {
                heap.DequeueEnqueue(s, approximate);
            }

            if (heap.Count == wanted)
            {
                heap.TryPeek(out _, out floor);
            }
        }

        var candidates = new (int Slot, float Score, string Id)[heap.Count];
        var state = new float[Hidden];
        for (var c = 0; heap.TryDequeue(out var slot, out _); c++)
        {
            CopyState(slot, state);
            candidates[c] = (slot, (TensorPrimitives.Dot(user, state) * scale) + _biases[slot], Id(slot));
        }

        return [.. candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Id, StringComparer.Ordinal).Take(k).Select(c => (c.Slot, c.Score))];
    }
}
