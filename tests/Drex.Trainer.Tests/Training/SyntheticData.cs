using Drex.Model.Text;
using Drex.Trainer.Training;

namespace Drex.Trainer.Tests.Training;

/// <summary>Small random interaction sets with every modality mix: rating and review, rating only, review only.</summary>
internal static class SyntheticData
{
    public static TrainingData Create(int users, int items, int interactions, int seed)
    {
        var random = new Random(seed);
        var u = new int[interactions];
        var i = new int[interactions];
        var r = new float[interactions];
        var reviews = new EncodedText?[interactions];
        for (var x = 0; x < interactions; x++)
        {
            u[x] = random.Next(users);
            i[x] = random.Next(items);
            var kind = random.Next(4);
            r[x] = kind == 3 ? float.NaN : random.Next(1, 6);
            if (kind != 2)
            {
                var length = random.Next(1, 12);
                var vectors = new float[length * ReviewEncoder.Dimension];
                for (var k = 0; k < vectors.Length; k++)
                {
                    vectors[k] = (float)(random.NextDouble() * 2 - 1);
                }

                reviews[x] = new EncodedText(Enumerable.Range(0, length).Select(k => $"w{random.Next(30)}").ToArray(), vectors);
            }
        }

        return new TrainingData(users, items, u, i, r, reviews);
    }

    public static string UserId(int u) => $"u{u}";

    public static string ItemId(int i) => $"i{i}";
}
