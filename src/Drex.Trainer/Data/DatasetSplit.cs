namespace Drex.Trainer.Data;

/// <summary>How interactions are assigned to train, validation and test.</summary>
public enum SplitKind
{
    /// <summary>A seeded shuffle of all interactions.</summary>
    Random,

    /// <summary>Per user, oldest interactions to train, then validation, newest to test.</summary>
    Chronological,
}

/// <summary>
/// Disjoint train/validation/test index lists into <see cref="Dataset.Interactions"/>, each ascending (so in time
/// order), together covering every interaction. Sizes follow <see cref="SplitFractions"/>.
/// </summary>
public sealed record DatasetSplit(IReadOnlyList<int> Train, IReadOnlyList<int> Validation, IReadOnlyList<int> Test)
{
    private const ulong RandomStream = 0x5350_4C49_5400_0001; // "SPLIT" 1: keeps split draws apart from other uses of a seed.

    /// <summary>Creates a split of the given kind; <paramref name="seed"/> only matters for <see cref="SplitKind.Random"/>.</summary>
    public static DatasetSplit Create(Dataset dataset, SplitKind kind, int seed, SplitFractions? fractions = null) => kind switch
    {
        SplitKind.Random => Random(dataset, seed, fractions),
        SplitKind.Chronological => Chronological(dataset, fractions),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Shuffles all interactions with <see cref="SeededRandom"/>: the first test-size go to test, the next
    /// validation-size to validation, the rest to train. Same dataset and seed, same split, on any machine.</summary>
    public static DatasetSplit Random(Dataset dataset, int seed, SplitFractions? fractions = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (_, validation, test) = (fractions ?? SplitFractions.Default).Sizes(dataset.Count);
        var order = Enumerable.Range(0, dataset.Count).ToArray();
        new SeededRandom(seed, RandomStream).Shuffle(order.AsSpan());
        return new DatasetSplit(
            Sorted(order.AsSpan(test + validation)),
            Sorted(order.AsSpan(test, validation)),
            Sorted(order.AsSpan(0, test)));
    }

    /// <summary>Per user, in time order (ties in dataset order): the oldest train-size interactions go to train, the
    /// next validation-size to validation, the newest test-size to test. Deterministic; needs no seed.</summary>
    public static DatasetSplit Chronological(Dataset dataset, SplitFractions? fractions = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        fractions ??= SplitFractions.Default;
        var byUser = new List<int>[dataset.UserCount];
        for (var n = 0; n < dataset.Count; n++)
        {
            (byUser[dataset.Users[n]] ??= []).Add(n);
        }

        List<int> train = [], validation = [], test = [];
        foreach (var interactions in byUser)
        {
            var (trainSize, validationSize, _) = fractions.Sizes(interactions.Count);
            for (var n = 0; n < interactions.Count; n++)
            {
                (n < trainSize ? train : n < trainSize + validationSize ? validation : test).Add(interactions[n]);
            }
        }

        train.Sort();
        validation.Sort();
        test.Sort();
        return new DatasetSplit(train, validation, test);
    }

    private static int[] Sorted(Span<int> indices)
    {
        var copy = indices.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
