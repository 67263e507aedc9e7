using Drex.Model.Data;

namespace Drex.Trainer.Data;

/// <summary>A training set after <see cref="DropModality"/>.</summary>
/// <param name="Dataset">The dataset with the chosen training interactions stripped; validation and test rows are unchanged.</param>
/// <param name="Train">The training indices left: the input ones minus those left with neither rating nor review.</param>
/// <param name="Stripped">Training interactions that lost the modality.</param>
/// <param name="Removed">Of those, how many were left with no modality and so left training.</param>
public sealed record ModalityDropResult(Dataset Dataset, IReadOnlyList<int> Train, int Stripped, int Removed);

/// <summary>
/// Robustness experiments: remove one modality from a seeded fraction of the training interactions that carry it.
/// Exactly round(fraction × carriers) interactions lose it (halves round up), chosen by a <see cref="SeededRandom"/>
/// shuffle. An interaction left with neither a rating nor a review has nothing left to learn from (DReX rejects it),
/// so it is dropped from the training list; its index stays valid in the returned dataset.
/// </summary>
public static class DropModality
{
    private const ulong ReviewStream = 0x4452_4F50_0000_0001;
    private const ulong RatingStream = 0x4452_4F50_0000_0002;

    /// <summary>Removes the review from <paramref name="fraction"/> of the training interactions that have one.</summary>
    public static ModalityDropResult Reviews(Dataset dataset, IReadOnlyList<int> train, double fraction, int seed) =>
        Drop(dataset, train, fraction, new SeededRandom(seed, ReviewStream), x => x.HasReview, x => x with { Review = null });

    /// <summary>Removes the rating from <paramref name="fraction"/> of the training interactions that have one.</summary>
    public static ModalityDropResult Ratings(Dataset dataset, IReadOnlyList<int> train, double fraction, int seed) =>
        Drop(dataset, train, fraction, new SeededRandom(seed, RatingStream), x => x.HasRating, x => x with { Rating = null });

    private static ModalityDropResult Drop(
        Dataset dataset,
        IReadOnlyList<int> train,
        double fraction,
        SeededRandom random,
        Func<Interaction, bool> has,
        Func<Interaction, Interaction> strip)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1.0);

        var carriers = train.Where(n => has(dataset.Interactions[n])).ToArray();
        var count = (int)Math.Round(fraction * carriers.Length, MidpointRounding.AwayFromZero);
        random.Shuffle(carriers.AsSpan());

        var interactions = dataset.Interactions.ToArray();
        var removed = new HashSet<int>();
        foreach (var n in carriers.AsSpan(0, count))
        {
            interactions[n] = strip(interactions[n]);
            if (!interactions[n].HasRating && !interactions[n].HasReview)
            {
                removed.Add(n);
            }
        }

        int[] kept = [.. train.Where(n => !removed.Contains(n))];
        return new ModalityDropResult(dataset.WithInteractions(interactions), kept, count, removed.Count);
    }
}
