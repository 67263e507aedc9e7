using Drex.Model.Text;

namespace Drex.Trainer.Training;

/// <summary>
/// Interactions in the dense, index-based form the network trains on: parallel arrays, one entry per interaction,
/// users and items as indices. <see cref="Ratings"/> holds NaN where there is no rating and
/// <see cref="Reviews"/> null (or an empty encoding) where there is no review.
/// </summary>
internal sealed record TrainingData(
    int UserCount,
    int ItemCount,
    int[] Users,
    int[] Items,
    float[] Ratings,
    EncodedText?[] Reviews)
{
    public int Count => Users.Length;

    public bool HasRating(int x) => !float.IsNaN(Ratings[x]);

    public int ReviewLength(int x) => Reviews[x]?.Length ?? 0;

    /// <summary>
    /// Groups interactions (given in chronological order) into t-batches as in JODIE: no batch holds two
    /// interactions of the same user or the same item, and each interaction lands after every earlier interaction
    /// of its user and its item, so a batch's GRU updates can run in parallel.
    /// </summary>
    public List<List<int>> TBatches(IReadOnlyList<int> chronological)
    {
        var lastOfUser = new Dictionary<int, int>();
        var lastOfItem = new Dictionary<int, int>();
        var batches = new List<List<int>>();
        foreach (var x in chronological)
        {
            var after = Math.Max(
                lastOfUser.TryGetValue(Users[x], out var u) ? u : -1,
                lastOfItem.TryGetValue(Items[x], out var i) ? i : -1);
            var b = after + 1;
            if (b == batches.Count)
            {
                batches.Add([]);
            }

            batches[b].Add(x);
            lastOfUser[Users[x]] = b;
            lastOfItem[Items[x]] = b;
        }

        return batches;
    }
}
