using Drex.Trainer.Data;

namespace Drex.Trainer.Baselines;

/// <summary>
/// r̂ = μ + b_u + b_i. μ is the training mean; the biases minimise Σ(r − μ − b_u − b_i)² + λ(Σb_u² + Σb_i²) by
/// alternating exact updates (all users, then all items) for a fixed number of sweeps, from zero. λ is the grid value
/// with the lowest validation MSE (first on ties; the middle grid value when validation has no ratings).
/// Deterministic; the seed is unused.
/// </summary>
public sealed class BiasModel : IRatingModel
{
    private readonly float[] _lambdas;
    private readonly int _sweeps;
    private float[] _userBias = [];
    private float[] _itemBias = [];
    private RatingRange _range;
    private bool _fitted;

    /// <summary>Creates the model with a λ grid (default <see cref="DefaultLambdas"/>) and a sweep count.</summary>
    public BiasModel(IReadOnlyList<float>? lambdas = null, int sweeps = 15)
    {
        _lambdas = [.. lambdas ?? DefaultLambdas];
        if (_lambdas.Length == 0 || _lambdas.Any(l => !(l >= 0)))
        {
            throw new ArgumentException("The λ grid needs at least one non-negative value.", nameof(lambdas));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sweeps);
        _sweeps = sweeps;
    }

    /// <summary>The default λ grid.</summary>
    public static IReadOnlyList<float> DefaultLambdas { get; } = [1f, 2.5f, 5f, 10f, 25f];

    /// <inheritdoc />
    public string Name => "bias";

    /// <summary>The training mean μ.</summary>
    public float GlobalMean { get; private set; }

    /// <summary>The chosen λ.</summary>
    public float Lambda { get; private set; }

    /// <summary>Every λ tried, with its validation MSE.</summary>
    public IReadOnlyList<ModelSelectionTrial> Trials { get; private set; } = [];

    /// <summary>b_u; 0 for a user unknown or unseen in training.</summary>
    public float UserBias(int user) => (uint)user < (uint)_userBias.Length ? _userBias[user] : 0f;

    /// <summary>b_i; 0 for an item unknown or unseen in training.</summary>
    public float ItemBias(int item) => (uint)item < (uint)_itemBias.Length ? _itemBias[item] : 0f;

    /// <inheritdoc />
    public void Fit(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var trainSet = RatingTriples.From(dataset, train);
        var validSet = RatingTriples.From(dataset, validation);
        var mean = (float)trainSet.Mean();
        _range = dataset.RatingRange!.Value;
        GlobalMean = mean;

        var trials = new List<ModelSelectionTrial>();
        (float[] Users, float[] Items, float Lambda, double Mse)? best = null;
        foreach (var lambda in validSet.Count == 0 ? [_lambdas[_lambdas.Length / 2]] : _lambdas)
        {
            var (users, items) = Solve(trainSet, dataset.UserCount, dataset.ItemCount, mean, lambda);
            var mse = validSet.Mse((u, i) => _range.Clamp(mean + users[u] + items[i]));
            trials.Add(new ModelSelectionTrial(lambda, _sweeps, mse));
            if (best is null || mse < best.Value.Mse)
            {
                best = (users, items, lambda, mse);
            }
        }

        (_userBias, _itemBias, Lambda, _) = best!.Value;
        Trials = trials;
        _fitted = true;
    }

    /// <inheritdoc />
    public float Predict(int user, int item)
    {
        if (!_fitted)
        {
            throw new InvalidOperationException("The model is not fitted.");
        }

        return _range.Clamp(GlobalMean + UserBias(user) + ItemBias(item));
    }

    private (float[] Users, float[] Items) Solve(RatingTriples data, int userCount, int itemCount, float mean, float lambda)
    {
        var users = new float[userCount];
        var items = new float[itemCount];
        var sums = new double[Math.Max(userCount, itemCount)];
        var counts = new int[sums.Length];
        for (var sweep = 0; sweep < _sweeps; sweep++)
        {
            Update(data.Users, data.Items, items, users);
            Update(data.Items, data.Users, users, items);
        }

        return (users, items);

        // Sets each target bias to Σ(r − μ − other bias) / (λ + count); targets without ratings stay 0.
        void Update(int[] target, int[] other, float[] otherBias, float[] targetBias)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            for (var n = 0; n < data.Count; n++)
            {
                sums[target[n]] += data.Ratings[n] - mean - otherBias[other[n]];
                counts[target[n]]++;
            }

            for (var t = 0; t < targetBias.Length; t++)
            {
                targetBias[t] = counts[t] == 0 ? 0f : (float)(sums[t] / (lambda + counts[t]));
            }
        }
    }
}
