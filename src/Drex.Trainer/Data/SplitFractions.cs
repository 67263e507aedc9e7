namespace Drex.Trainer.Data;

/// <summary>
/// Train/validation/test fractions, non-negative and summing to 1. Sizes for n interactions: train =
/// max(1, floor(n * Train)), at most n; the rest is held out, test = ceil(held out * Test / (Validation + Test)) and
/// validation gets the remainder. So a group of 5 splits 4/0/1, 2 splits 1/0/1, 10 splits 8/1/1.
/// </summary>
public sealed record SplitFractions
{
    private const double Tolerance = 1e-9;

    /// <summary>Creates fractions; throws when any is negative or they do not sum to 1.</summary>
    public SplitFractions(double train = 0.8, double validation = 0.1, double test = 0.1)
    {
        if (!(train > 0) || !(validation >= 0) || !(test >= 0) || Math.Abs(train + validation + test - 1) > 1e-6)
        {
            throw new ArgumentException($"Split fractions must be non-negative, train above 0, summing to 1; got {train}/{validation}/{test}.");
        }

        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>The 80/10/10 default.</summary>
    public static SplitFractions Default { get; } = new();

    /// <summary>Training fraction.</summary>
    public double Train { get; }

    /// <summary>Validation fraction.</summary>
    public double Validation { get; }

    /// <summary>Test fraction.</summary>
    public double Test { get; }

    /// <summary>The (train, validation, test) sizes for a group of <paramref name="n"/> interactions.</summary>
    public (int Train, int Validation, int Test) Sizes(int n)
    {
        var heldShare = Validation + Test;
        if (n <= 0 || heldShare <= 0)
        {
            return (Math.Max(n, 0), 0, 0);
        }

        var train = Math.Clamp((int)Math.Floor(n * Train + Tolerance), 1, n);
        var heldOut = n - train;
        var test = (int)Math.Ceiling(heldOut * Test / heldShare - Tolerance);
        return (train, heldOut - test, test);
    }
}
