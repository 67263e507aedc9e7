using Drex.Model.Data;
using Drex.Trainer.Data;

namespace Drex.Trainer.Tests.Baselines;

/// <summary>Ratings planted as μ + b_u + b_i (+ a low-rank term) + noise, with zero-mean biases, unclamped.</summary>
internal sealed class SyntheticRatings
{
    public const float Mu = 3.5f;

    public SyntheticRatings(int users, int items, double density, int rank, float factorScale, float noise, int seed)
    {
        var random = new SeededRandom(seed);
        UserBias = Centered(users, random);
        ItemBias = Centered(items, random);
        var p = Uniform(users * Math.Max(rank, 1), random, factorScale);
        var q = Uniform(items * Math.Max(rank, 1), random, factorScale);
        var interactions = new List<Interaction>();
        var time = 0;
        for (var u = 0; u < users; u++)
        {
            for (var i = 0; i < items; i++)
            {
                if (random.NextDouble() >= density)
                {
                    continue;
                }

                var dot = 0f;
                for (var k = 0; k < rank; k++)
                {
                    dot += p[(u * rank) + k] * q[(i * rank) + k];
                }

                var rating = Mu + UserBias[u] + ItemBias[i] + dot + (float)((random.NextDouble() * 2 - 1) * noise * Math.Sqrt(3));
                interactions.Add(new Interaction($"u{u}", $"i{i}", rating, null, time++));
            }
        }

        Dataset = Dataset.Build(interactions);
    }

    public Dataset Dataset { get; }

    public float[] UserBias { get; }

    public float[] ItemBias { get; }

    private static float[] Centered(int count, SeededRandom random)
    {
        var values = Uniform(count, random, 0.5f);
        var mean = values.Average();
        return [.. values.Select(v => v - mean)];
    }

    private static float[] Uniform(int count, SeededRandom random, float scale) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale))];
}
