using System.Numerics.Tensors;
using Drex.Grains.Services;
using Drex.Model.Bundle;

namespace Drex.Grains.Tests;

public sealed class ItemMatrixTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(48)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(100)]
    public void Dot_EqualsTheScalarSum_AtEveryLength(int length)
    {
        var random = new Random(length);
        for (var trial = 0; trial < 50; trial++)
        {
            // Extremes included: -127 and 127 everywhere must not overflow.
            var a = Enumerable.Range(0, length).Select(_ => (sbyte)(trial == 0 ? 127 : random.Next(-127, 128))).ToArray();
            var b = Enumerable.Range(0, length).Select(_ => (sbyte)(trial == 0 ? -127 : random.Next(-127, 128))).ToArray();

            Assert.Equal(a.Zip(b).Sum(p => p.First * p.Second), Int8Rows.Dot(a, b));
        }
    }

    [Fact]
    public void Quantize_ReconstructsEachValueWithinHalfAStep()
    {
        var random = new Random(3);
        var row = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var codes = new sbyte[64];

        var scale = Int8Rows.Quantize(row, codes);

        Assert.Equal(row.Max(Math.Abs) / 127f, scale, 1e-6f);
        Assert.All(row.Zip(codes), p => Assert.InRange(p.First - (p.Second * scale), -scale * 0.5001f, scale * 0.5001f));
    }

    [Fact]
    public void Quantize_ZerosOrNonFinite_ScanAsZero()
    {
        var codes = new sbyte[] { 1, 2, 3 };
        Assert.Equal(0f, Int8Rows.Quantize([0f, 0f, 0f], codes));
        Assert.All(codes, c => Assert.Equal(0, c));
        Assert.Equal(0f, Int8Rows.Quantize([1f, float.NaN, 2f], codes));
        Assert.Throws<ArgumentException>(() => Int8Rows.Quantize([1f, 2f], codes));
    }

    [Fact]
    public void Best_EqualsAnExactRankingOfEveryItem_LeavingOutExcludedOnes()
    {
        const int hidden = 64;
        var random = new Random(7);
        float[] Vector() => [.. Enumerable.Range(0, hidden).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var items = Enumerable.Range(0, 20_000).Select(n => (Id: $"item-{n}", State: Vector(), Bias: (float)random.NextDouble())).ToArray();
        // A snapshot holds the first 2,000 items; the rest arrive as updates (the rows grow several times), and every
        // tenth snapshot item is updated to a new state (its own row from then on).
        ActorColumns snapshot = [.. items.Take(2_000).Select(i => new ActorRecord(i.Id, Vector(), 0f, 1, 1, []))];
        var matrix = new ItemMatrix(hidden, new ItemPartition(snapshot, [.. Enumerable.Range(0, snapshot.Count)]));
        foreach (var (id, state, bias) in items.Where((_, n) => n >= 2_000 || n % 10 == 0))
        {
            matrix.Set(id, state, bias);
        }

        items = [.. items.Select((item, n) => n < 2_000 && n % 10 != 0 ? (item.Id, snapshot.State(n).ToArray(), 0f) : item)];

        for (var trial = 0; trial < 20; trial++)
        {
            var user = Vector();
            var exclude = items.Where(_ => random.NextDouble() < 0.01).Select(i => i.Id).Append("not-an-item").ToArray();
            var k = 1 + random.Next(30);
            var expected = items.Where(i => !exclude.Contains(i.Id))
                .Select(i => (i.Id, Score: (TensorPrimitives.Dot(user, i.State) * 0.5f) + i.Bias))
                .OrderByDescending(i => i.Score).ThenBy(i => i.Id, StringComparer.Ordinal).Take(k).ToArray();

            var best = matrix.Best(user, 0.5f, k, exclude);

            Assert.Equal(expected.Select(e => e.Id), best.Select(b => matrix.Id(b.Slot)));
            Assert.Equal(expected.Select(e => e.Score), best.Select(b => b.Score));
        }
    }

    [Fact]
    public void Set_ReplacesAnItemsRowInItsSlot()
    {
        var matrix = new ItemMatrix(2, null);
        var slot = matrix.Set("a", [1f, 0f], 0f);
        matrix.Set("b", [0.5f, 0f], 0f);
        Assert.Equal("a", matrix.Id(matrix.Best([1f, 0f], 1f, 1, [])[0].Slot));

        Assert.Equal(slot, matrix.Set("a", [-1f, 0f], 0f));

        Assert.Equal(2, matrix.Count);
        var state = new float[2];
        matrix.CopyState(slot, state);
        Assert.Equal([-1f, 0f], state);
        Assert.Equal(slot, matrix.SlotOf("a"));
        Assert.Equal(-1, matrix.SlotOf("c"));
        Assert.Equal(["b", "a"], matrix.Best([1f, 0f], 1f, 2, []).Select(b => matrix.Id(b.Slot)));
        Assert.Throws<ArgumentException>(() => matrix.Set("c", [1f], 0f));
        Assert.Throws<ArgumentException>(() => matrix.Best([1f], 1f, 1, []));
    }
}
