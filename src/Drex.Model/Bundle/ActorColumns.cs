using System.Collections;
using System.Runtime.CompilerServices;
using Drex.Model.Keywords;

namespace Drex.Model.Bundle;

/// <summary>The state of one user or item at the bundle's training watermark.</summary>
public sealed record ActorRecord(string Id, float[] State, float Bias, int Count, KeywordWeight[] Keywords);

/// <summary>
/// The users or the items of a snapshot, column by column: ids, one row-major state matrix, biases, counts and one
/// array of keywords with each actor's range in it. A million items are a handful of arrays, not a million states
/// and keyword lists, so a snapshot parses and indexes without millions of allocations. Indexing, enumerating and
/// <see cref="Find"/> hand out <see cref="ActorRecord"/> copies.
/// </summary>
[CollectionBuilder(typeof(ActorColumns), nameof(Create))]
public sealed class ActorColumns : IReadOnlyList<ActorRecord>
{
    private readonly string[] _ids;
    private readonly float[] _states;
    private readonly float[] _biases;
    private readonly int[] _counts;
    private readonly int[] _keywordStarts;
    private readonly KeywordWeight[] _keywords;
    private Dictionary<string, int>? _rows;

    /// <param name="keywordStarts">Row r's keywords are <c>keywords[keywordStarts[r]..keywordStarts[r + 1]]</c> (the array may run longer).</param>
    internal ActorColumns(int hidden, string[] ids, float[] states, float[] biases, int[] counts, int[] keywordStarts, KeywordWeight[] keywords)
    {
        Hidden = hidden;
        _ids = ids;
        _states = states;
        _biases = biases;
        _counts = counts;
        _keywordStarts = keywordStarts;
        _keywords = keywords;
    }

    /// <summary>Values per state (0 for an empty set built from records: it takes any width).</summary>
    public int Hidden { get; }

    public int Count => _ids.Length;

    public ActorRecord this[int row] =>
        new(_ids[row], State(row).ToArray(), _biases[row], _counts[row], Keywords(row).ToArray());

    public string Id(int row) => _ids[row];

    public ReadOnlySpan<float> State(int row) => _states.AsSpan(row * Hidden, Hidden);

    public float Bias(int row) => _biases[row];

    public int Interactions(int row) => _counts[row];

    public ReadOnlySpan<KeywordWeight> Keywords(int row) => _keywords.AsSpan(_keywordStarts[row], _keywordStarts[row + 1] - _keywordStarts[row]);

    /// <summary>
    /// The row of an actor, or -1. The id index is built on the first call (a million ids take a few hundred ms);
    /// call <see cref="BuildIndex"/> to pay for it up front.
    /// </summary>
    public int Find(string id) => (_rows ?? BuildIndex()).GetValueOrDefault(id, -1);

    /// <summary>A copy of the actor's record, or null when this set does not hold it.</summary>
    public ActorRecord? Get(string id) => Find(id) is var row and >= 0 ? this[row] : null;

    /// <summary>Builds the id index <see cref="Find"/> uses (idempotent; safe to race: both builds are equal).</summary>
    public Dictionary<string, int> BuildIndex()
    {
        if (_rows is { } built)
        {
            return built;
        }

        var rows = new Dictionary<string, int>(_ids.Length, StringComparer.Ordinal);
        for (var row = 0; row < _ids.Length; row++)
        {
            if (!rows.TryAdd(_ids[row], row))
            {
                throw new InvalidDataException($"Actor '{_ids[row]}' appears twice in the snapshot.");
            }
        }

        return _rows = rows;
    }

    public IEnumerator<ActorRecord> GetEnumerator()
    {
        for (var row = 0; row < Count; row++)
        {
            yield return this[row];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Columns from records (what collection expressions call); every state must be as wide as the first.</summary>
    public static ActorColumns Create(ReadOnlySpan<ActorRecord> records)
    {
        var hidden = records.IsEmpty ? 0 : records[0].State.Length;
        var ids = new string[records.Length];
        var states = new float[records.Length * hidden];
        var biases = new float[records.Length];
        var counts = new int[records.Length];
        var keywordStarts = new int[records.Length + 1];
        var keywords = new List<KeywordWeight>();
        for (var row = 0; row < records.Length; row++)
        {
            var record = records[row];
            if (record.State.Length != hidden)
            {
                throw new ArgumentException($"Actor '{record.Id}' has a state of {record.State.Length} values, not {hidden}.", nameof(records));
            }

            ids[row] = record.Id;
            record.State.CopyTo(states, row * hidden);
            biases[row] = record.Bias;
            counts[row] = record.Count;
            keywords.AddRange(record.Keywords);
            keywordStarts[row + 1] = keywords.Count;
        }

        return new ActorColumns(hidden, ids, states, biases, counts, keywordStarts, [.. keywords]);
    }
}
