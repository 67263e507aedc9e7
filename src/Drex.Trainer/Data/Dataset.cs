using Drex.Model.Data;

namespace Drex.Trainer.Data;

/// <summary>
/// Prepared interactions with dense user and item indices. Interactions are sorted chronologically, ties kept in
/// input order, so an index into <see cref="Interactions"/> is also a time order. Users and items are numbered
/// 0..n-1 in order of first appearance in that order. Immutable.
/// </summary>
public sealed class Dataset
{
    private readonly Interaction[] _interactions;
    private readonly string[] _userIds;
    private readonly string[] _itemIds;
    private readonly Dictionary<string, int> _userIndex;
    private readonly Dictionary<string, int> _itemIndex;

    private Dataset(
        Interaction[] interactions,
        int[] users,
        int[] items,
        string[] userIds,
        string[] itemIds,
        Dictionary<string, int> userIndex,
        Dictionary<string, int> itemIndex,
        RatingRange? ratingRange,
        DatasetPreparationReport preparation)
    {
        _interactions = interactions;
        Users = users;
        Items = items;
        _userIds = userIds;
        _itemIds = itemIds;
        _userIndex = userIndex;
        _itemIndex = itemIndex;
        RatingRange = ratingRange;
        Preparation = preparation;
    }

    /// <summary>The interactions, oldest first.</summary>
    public IReadOnlyList<Interaction> Interactions => _interactions;

    /// <summary>The user index of each interaction.</summary>
    public IReadOnlyList<int> UserIndices => Users;

    /// <summary>The item index of each interaction.</summary>
    public IReadOnlyList<int> ItemIndices => Items;

    /// <summary>User ids by index.</summary>
    public IReadOnlyList<string> UserIds => _userIds;

    /// <summary>Item ids by index.</summary>
    public IReadOnlyList<string> ItemIds => _itemIds;

    /// <summary>Number of users.</summary>
    public int UserCount => _userIds.Length;

    /// <summary>Number of items.</summary>
    public int ItemCount => _itemIds.Length;

    /// <summary>Number of interactions.</summary>
    public int Count => _interactions.Length;

    /// <summary>The rating range seen in the data; null when no interaction has a rating.</summary>
    public RatingRange? RatingRange { get; }

    /// <summary>What preparation dropped.</summary>
    public DatasetPreparationReport Preparation { get; }

    internal int[] Users { get; }

    internal int[] Items { get; }

    /// <summary>The user's index, or -1 when the user is not in the dataset.</summary>
    public int UserIndex(string userId) => _userIndex.GetValueOrDefault(userId, -1);

    /// <summary>The item's index, or -1 when the item is not in the dataset.</summary>
    public int ItemIndex(string itemId) => _itemIndex.GetValueOrDefault(itemId, -1);

    /// <summary>Deduplicates, k-core filters, sorts and indexes raw interactions.</summary>
    public static Dataset Build(IEnumerable<Interaction> interactions, DatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        options ??= new DatasetOptions();
        var input = interactions as IReadOnlyList<Interaction> ?? [.. interactions];

        var kept = options.Deduplicate ? Deduplicate(input) : [.. input];
        var duplicates = input.Count - kept.Count;
        var (filtered, rounds) = options.KCore > 1 ? KCore(kept, options.KCore) : (kept, 0);

        // List.Sort is unstable, so the input position breaks timestamp ties explicitly.
        var order = Enumerable.Range(0, filtered.Count).ToArray();
        order.AsSpan().Sort((a, b) =>
        {
            var byTime = filtered[a].Timestamp.CompareTo(filtered[b].Timestamp);
            return byTime != 0 ? byTime : a.CompareTo(b);
        });
        var sorted = new Interaction[order.Length];
        for (var n = 0; n < order.Length; n++)
        {
            sorted[n] = filtered[order[n]];
        }

        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var users = new int[sorted.Length];
        var items = new int[sorted.Length];
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (var n = 0; n < sorted.Length; n++)
        {
            users[n] = IndexOf(userIndex, sorted[n].UserId);
            items[n] = IndexOf(itemIndex, sorted[n].ItemId);
            if (sorted[n].Rating is { } r)
            {
                min = Math.Min(min, r);
                max = Math.Max(max, r);
            }
        }

        RatingRange? range = min <= max ? new RatingRange(min, max) : null;
        var report = new DatasetPreparationReport(input.Count, duplicates, kept.Count - filtered.Count, rounds);
        return new Dataset(sorted, users, items, Keys(userIndex), Keys(itemIndex), userIndex, itemIndex, range, report);
    }

    /// <summary>The same dataset with some interactions replaced (same users, items and order); for modality dropping.</summary>
    internal Dataset WithInteractions(Interaction[] interactions) =>
        new(interactions, Users, Items, _userIds, _itemIds, _userIndex, _itemIndex, RatingRange, Preparation);

    private static List<Interaction> Deduplicate(IReadOnlyList<Interaction> input)
    {
        var latest = new Dictionary<(string, string), int>();
        for (var n = 0; n < input.Count; n++)
        {
            var key = (input[n].UserId, input[n].ItemId);
            if (!latest.TryGetValue(key, out var previous) || input[n].Timestamp >= input[previous].Timestamp)
            {
                latest[key] = n;
            }
        }

        var kept = new List<Interaction>(latest.Count);
        for (var n = 0; n < input.Count; n++)
        {
            if (latest[(input[n].UserId, input[n].ItemId)] == n)
            {
                kept.Add(input[n]);
            }
        }

        return kept;
    }

    private static (List<Interaction> Kept, int Rounds) KCore(List<Interaction> interactions, int k)
    {
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var users = interactions.Select(x => IndexOf(userIndex, x.UserId)).ToArray();
        var items = interactions.Select(x => IndexOf(itemIndex, x.ItemId)).ToArray();
        var alive = Enumerable.Repeat(true, interactions.Count).ToArray();
        var rounds = 0;
        while (true)
        {
            var userCounts = new int[userIndex.Count];
            var itemCounts = new int[itemIndex.Count];
            for (var n = 0; n < alive.Length; n++)
            {
                if (alive[n])
                {
                    userCounts[users[n]]++;
                    itemCounts[items[n]]++;
                }
            }

            var removed = false;
            for (var n = 0; n < alive.Length; n++)
            {
                if (alive[n] && (userCounts[users[n]] < k || itemCounts[items[n]] < k))
                {
                    alive[n] = false;
                    removed = true;
                }
            }

            if (!removed)
            {
                return ([.. interactions.Where((_, n) => alive[n])], rounds);
            }

            rounds++;
        }
    }

    private static int IndexOf(Dictionary<string, int> index, string id)
    {
        if (!index.TryGetValue(id, out var value))
        {
            value = index.Count;
            index.Add(id, value);
        }

        return value;
    }

    private static string[] Keys(Dictionary<string, int> index)
    {
        var keys = new string[index.Count];
        foreach (var (key, value) in index)
        {
            keys[value] = key;
        }

        return keys;
    }
}
