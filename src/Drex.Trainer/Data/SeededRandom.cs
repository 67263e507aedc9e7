namespace Drex.Trainer.Data;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a fixed, documented algorithm, so a seed gives the same numbers on every
/// runtime and machine (unlike <see cref="Random"/>, whose algorithm is unspecified). Integer draws use only integer
/// arithmetic. Not thread-safe.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Creates a generator; different <paramref name="stream"/> values give independent sequences for one seed.</summary>
    public SeededRandom(long seed, ulong stream = 0)
    {
        var state = (ulong)seed;
        var mixed = SplitMix64(ref state) ^ stream;
        _s0 = SplitMix64(ref mixed);
        _s1 = SplitMix64(ref mixed);
        _s2 = SplitMix64(ref mixed);
        _s3 = SplitMix64(ref mixed);
    }

    internal SeededRandom(ulong s0, ulong s1, ulong s2, ulong s3) => (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        var range = (uint)maxExclusive;
        var product = (ulong)(uint)(NextUInt64() >> 32) * range;
        if ((uint)product < range)
        {
            var threshold = (0u - range) % range;
            while ((uint)product < threshold)
            {
                product = (ulong)(uint)(NextUInt64() >> 32) * range;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Shuffles in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (var n = values.Length - 1; n > 0; n--)
        {
            var k = NextInt(n + 1);
            (values[n], values[k]) = (values[k], values[n]);
        }
    }

    internal static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
