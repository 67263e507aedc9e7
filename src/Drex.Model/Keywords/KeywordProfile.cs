using System.Text.Json.Serialization;

namespace Drex.Model.Keywords;

/// <summary>One word of a keyword profile and its accumulated weight.</summary>
public readonly record struct KeywordWeight(string Word, float Weight);

/// <summary>A word shared by a user's and an item's profile: <see cref="Score"/> = sqrt(user weight x item weight).</summary>
public sealed record KeywordMatch(string Word, float Score, float UserWeight, float ItemWeight);

/// <summary>
/// A bounded word -> weight map for one user or item: adding accumulates weight, and past <see cref="Capacity"/>
/// words the lightest is dropped. Its state is <see cref="Capacity"/> and <see cref="Entries"/>, both plain values (it
/// round-trips through System.Text.Json as is). Not thread-safe.
/// </summary>
public sealed class KeywordProfile
{
    /// <summary>Words kept per profile unless told otherwise.</summary>
    public const int DefaultCapacity = 64;

    private readonly Dictionary<string, float> _weights;

    public KeywordProfile(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _weights = new Dictionary<string, float>(capacity + 1, StringComparer.Ordinal);
    }

    /// <summary>Restores a profile from its state; entries past the capacity are dropped, lightest first.</summary>
    [JsonConstructor]
    public KeywordProfile(int capacity, IReadOnlyList<KeywordWeight> entries)
        : this(capacity)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (word, weight) in entries)
        {
            Add(word, weight);
        }
    }

    /// <summary>Most words kept.</summary>
    public int Capacity { get; }

    /// <summary>Words held now.</summary>
    [JsonIgnore]
    public int Count => _weights.Count;

    /// <summary>Every word with its weight, heaviest first (ties by word, ordinal).</summary>
    public IReadOnlyList<KeywordWeight> Entries => Top(_weights.Count);

    /// <summary>The weight of <paramref name="word"/>; 0 when absent.</summary>
    public float WeightOf(string word) => _weights.GetValueOrDefault(word);

    /// <summary>Adds <paramref name="weight"/> to <paramref name="word"/>; then drops the lightest word if over capacity.</summary>
    public void Add(string word, float weight)
    {
        ArgumentException.ThrowIfNullOrEmpty(word);
        if (!float.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A keyword weight is finite and not negative.");
        }

        if (weight == 0)
        {
            return;
        }

        _weights[word] = _weights.GetValueOrDefault(word) + weight;
        if (_weights.Count > Capacity)
        {
            _weights.Remove(Lightest());
        }
    }

    /// <summary>Adds every keyword of a review, e.g. the output of <see cref="KeywordExtractor.Extract"/>.</summary>
    public void Add(IEnumerable<(string Word, float Weight)> keywords)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        foreach (var (word, weight) in keywords)
        {
            Add(word, weight);
        }
    }

    /// <summary>The <paramref name="n"/> heaviest words, heaviest first (ties by word, ordinal).</summary>
    public IReadOnlyList<KeywordWeight> Top(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return _weights
            .OrderByDescending(e => e.Value)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .Take(n)
            .Select(e => new KeywordWeight(e.Key, e.Value))
            .ToArray();
    }

    /// <summary>
    /// Why this item for this user: the words in both profiles, ranked by the geometric mean of their two weights
    /// (ties by word, ordinal), at most <paramref name="n"/>.
    /// </summary>
    public static IReadOnlyList<KeywordMatch> Explain(KeywordProfile user, KeywordProfile item, int n)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentOutOfRangeException.ThrowIfNegative(n);

        var (small, large, userIsSmall) = user.Count <= item.Count ? (user, item, true) : (item, user, false);
        var matches = new List<KeywordMatch>();
        foreach (var (word, weight) in small._weights)
        {
            if (large._weights.TryGetValue(word, out var other))
            {
                var (userWeight, itemWeight) = userIsSmall ? (weight, other) : (other, weight);
                matches.Add(new KeywordMatch(word, MathF.Sqrt(userWeight * itemWeight), userWeight, itemWeight));
            }
        }

        return matches
            .OrderByDescending(m => m.Score)
            .ThenBy(m => m.Word, StringComparer.Ordinal)
            .Take(n)
            .ToArray();
    }

    /// <summary>The word to drop on overflow: least weight; among equals, the last in ordinal order.</summary>
    private string Lightest()
    {
        var lightest = default(KeyValuePair<string, float>?);
        foreach (var entry in _weights)
        {
            if (lightest is not { } current || entry.Value < current.Value
                || (entry.Value == current.Value && string.CompareOrdinal(entry.Key, current.Key) > 0))
            {
                lightest = entry;
            }
        }

        return lightest!.Value.Key;
    }
}
