using System.Runtime.InteropServices;
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

        // Work on provisional integer ids (first appearance in input order) so the passes below hash ints, not strings.
        var provisionalUsers = new IdIndex(input.Count);
        var provisionalItems = new IdIndex(input.Count);
        var users = new int[input.Count];
        var items = new int[input.Count];
        for (var n = 0; n < input.Count; n++)
        {
            users[n] = provisionalUsers.IndexOf(input[n].UserId);
            items[n] = provisionalItems.IndexOf(input[n].ItemId);
        }

        var kept = options.Deduplicate ? Deduplicate(input, users, items) : [.. Enumerable.Range(0, input.Count)];
        var duplicates = input.Count - kept.Length;
        var (filtered, rounds) = options.KCore > 1
            ? KCore(kept, users, items, provisionalUsers.Count, provisionalItems.Count, options.KCore)
            : (kept, 0);
        SortChronologically(input, filtered);

        var userRemap = new Renumbering(provisionalUsers.Count);
        var itemRemap = new Renumbering(provisionalItems.Count);
        var sorted = new Interaction[filtered.Length];
        var userOf = new int[filtered.Length];
        var itemOf = new int[filtered.Length];
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (var k = 0; k < filtered.Length; k++)
        {
            var n = filtered[k];
            sorted[k] = input[n];
            userOf[k] = userRemap.Next(users[n]);
            itemOf[k] = itemRemap.Next(items[n]);
            if (input[n].Rating is { } r)
            {
                min = Math.Min(min, r);
                max = Math.Max(max, r);
            }
        }

        var (userIds, userIndex) = userRemap.Ids(provisionalUsers.Ids);
        var (itemIds, itemIndex) = itemRemap.Ids(provisionalItems.Ids);
        RatingRange? range = min <= max ? new RatingRange(min, max) : null;
        var report = new DatasetPreparationReport(input.Count, duplicates, kept.Length - filtered.Length, rounds);
        return new Dataset(sorted, userOf, itemOf, userIds, itemIds, userIndex, itemIndex, range, report);
    }

    /// <summary>The same dataset with some interactions replaced (same users, items and order); for modality dropping.</summary>
    internal Dataset WithInteractions(Interaction[] interactions) =>
        new(interactions, Users, Items, _userIds, _itemIds, _userIndex, _itemIndex, RatingRange, Preparation);

    private static int[] Deduplicate(IReadOnlyList<Interaction> input, int[] users, int[] items)
    {
        // (int, int) hashes with HashCode.Combine; a packed long would hash as user ^ item and collide massively.
        var latest = new Dictionary<(int, int), int>(input.Count);
        for (var n = 0; n < input.Count; n++)
        {
            var key = (users[n], items[n]);
            if (!latest.TryGetValue(key, out var previous) || input[n].Timestamp >= input[previous].Timestamp)
            {
                latest[key] = n;
            }
        }

        var kept = latest.Values.ToArray();
        Array.Sort(kept);
        return kept;
    }

    private static (int[] Kept, int Rounds) KCore(int[] kept, int[] users, int[] items, int userCount, int itemCount, int k)
    {
        var rounds = 0;
        while (true)
        {
            var userCounts = new int[userCount];
            var itemCounts = new int[itemCount];
            foreach (var n in kept)
            {
                userCounts[users[n]]++;
                itemCounts[items[n]]++;
            }

            var survivors = Array.FindAll(kept, n => userCounts[users[n]] >= k && itemCounts[items[n]] >= k);
            if (survivors.Length == kept.Length)
            {
                return (kept, rounds);
            }

            kept = survivors;
            rounds++;
        }
    }

    /// <summary>Sorts input positions by timestamp, ties by position (array sorts are unstable, so ties are re-sorted).</summary>
    private static void SortChronologically(IReadOnlyList<Interaction> input, int[] positions)
    {
        var times = new long[positions.Length];
        for (var k = 0; k < positions.Length; k++)
        {
            times[k] = input[positions[k]].Timestamp;
        }

        Array.Sort(times, positions);
        for (int start = 0, end; start < positions.Length; start = end)
        {
            for (end = start + 1; end < positions.Length && times[end] == times[start]; end++)
            {
            }

            if (end - start > 1)
            {
                Array.Sort(positions, start, end - start);
            }
        }
    }

    /// <summary>Renumbers provisional ids densely in order of first use, skipping ids never used.</summary>
    private sealed class Renumbering
    {
        private readonly int[] _map;
        private readonly List<int> _order = [];

        public Renumbering(int count)
        {
            _map = new int[count];
            Array.Fill(_map, -1);
        }

        public int Next(int provisional)
        {
            if (_map[provisional] < 0)
            {
                _map[provisional] = _order.Count;
                _order.Add(provisional);
            }

            return _map[provisional];
        }

        public (string[] Ids, Dictionary<string, int> Index) Ids(List<string> provisionalIds)
        {
            var ids = new string[_order.Count];
            var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
            for (var n = 0; n < ids.Length; n++)
            {
                ids[n] = provisionalIds[_order[n]];
                index.Add(ids[n], n);
            }

            return (ids, index);
        }
    }

    /// <summary>Dense ids in order of first appearance.</summary>
    private sealed class IdIndex(int capacity)
    {
        private readonly Dictionary<string, int> _map = new(Math.Min(capacity, 1 << 20), StringComparer.Ordinal);

        public List<string> Ids { get; } = [];

        public int Count => Ids.Count;

        public int IndexOf(string id)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_map, id, out var exists);
            if (!exists)
            {
                slot = Ids.Count;
                Ids.Add(id);
            }

            return slot;
        }
    }
}
