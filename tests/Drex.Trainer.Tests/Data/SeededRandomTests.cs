using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Data;

public sealed class SeededRandomTests
{
    [Fact]
    public void SplitMix64_SeedZero_MatchesReferenceOutput()
    {
        var state = 0UL;

        Assert.Equal(0xE220A8397B1DCDAFUL, SeededRandom.SplitMix64(ref state));
    }

    [Fact]
    public void NextUInt64_StateOneToFour_MatchesXoshiroReference()
    {
        var random = new SeededRandom(1, 2, 3, 4);

        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL], Enumerable.Range(0, 4).Select(_ => random.NextUInt64()));
    }

    [Fact]
    public void NextInt_SameSeed_SameSequence()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        var c = new SeededRandom(42, stream: 1);

        var first = Enumerable.Range(0, 100).Select(_ => a.NextInt(1000)).ToList();

        Assert.Equal(first, Enumerable.Range(0, 100).Select(_ => b.NextInt(1000)));
        Assert.NotEqual(first, Enumerable.Range(0, 100).Select(_ => c.NextInt(1000)));
    }

    [Fact]
    public void NextInt_SmallRange_CoversEveryValueUniformly()
    {
        var random = new SeededRandom(7);
        var counts = new int[6];
        for (var n = 0; n < 60_000; n++)
        {
            counts[random.NextInt(6)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void NextDouble_Draws_StayInUnitInterval()
    {
        var random = new SeededRandom(3);

        Assert.All(Enumerable.Range(0, 10_000).Select(_ => random.NextDouble()), d => Assert.InRange(d, 0.0, 0.9999999999999999));
    }
}
