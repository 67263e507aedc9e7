namespace Drex.LoadTest;

/// <summary>
/// Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s (s = 0: uniform). The cumulative table is
/// built once; a draw is one uniform number and a binary search.
/// </summary>
public sealed class Zipf
{
    private readonly double[] _cdf;

    public Zipf(int n, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        _cdf = new double[n];
        var sum = 0.0;
        for (var k = 0; k < n; k++)
        {
            sum += 1.0 / Math.Pow(k + 1, exponent);
            _cdf[k] = sum;
        }

        for (var k = 0; k < n; k++)
        {
            _cdf[k] /= sum;
        }

        _cdf[^1] = 1.0;
    }

    public int Count => _cdf.Length;

    /// <summary>Share of all draws that land on rank 0 (the hottest key).</summary>
    public double TopShare => _cdf[0];

    public int Next(Random random)
    {
        var u = random.NextDouble();
        var index = Array.BinarySearch(_cdf, u);
        return index >= 0 ? index : Math.Min(~index, _cdf.Length - 1);
    }
}
