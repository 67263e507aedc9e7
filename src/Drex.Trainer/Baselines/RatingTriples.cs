using Drex.Trainer.Data;

namespace Drex.Trainer.Baselines;

/// <summary>The rated interactions among some indices as parallel arrays, for tight fitting loops.</summary>
internal sealed class RatingTriples
{
    private RatingTriples(int[] users, int[] items, float[] ratings) => (Users, Items, Ratings) = (users, items, ratings);

    public int[] Users { get; }

    public int[] Items { get; }

    public float[] Ratings { get; }

    public int Count => Ratings.Length;

    public static RatingTriples From(Dataset dataset, IReadOnlyList<int> indices)
    {
        var users = new List<int>(indices.Count);
        var items = new List<int>(indices.Count);
        var ratings = new List<float>(indices.Count);
        foreach (var n in indices)
        {
            if (dataset.Interactions[n].Rating is { } rating)
            {
                users.Add(dataset.Users[n]);
                items.Add(dataset.Items[n]);
                ratings.Add(rating);
            }
        }

        return new RatingTriples([.. users], [.. items], [.. ratings]);
    }

    public double Mean()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The training split holds no rated interaction.");
        }

        var sum = 0.0;
        foreach (var r in Ratings)
        {
            sum += r;
        }

        return sum / Count;
    }

    /// <summary>Mean squared error of clamped predictions; NaN when empty.</summary>
    public double Mse(Func<int, int, float> predict)
    {
        var sum = 0.0;
        for (var n = 0; n < Count; n++)
        {
            var error = (double)predict(Users[n], Items[n]) - Ratings[n];
            sum += error * error;
        }

        return Count == 0 ? double.NaN : sum / Count;
    }
}
