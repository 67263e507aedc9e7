using Drex.Trainer.Data;

namespace Drex.Trainer.Baselines;

/// <summary>
/// r̂ = μ + b_u + b_i + p_u·q_i (Koren's biased MF) fitted by SGD on squared error with L2 on biases and factors.
/// μ is the training mean; biases start at 0, factors uniform with the configured standard deviation (factors of users
/// and items without training ratings are zero, so they fall back to the bias terms). Each epoch visits the ratings
/// in a fresh <see cref="SeededRandom"/> order; training stops when validation MSE has not improved for the patience
/// and the best epoch's parameters are restored. The regularisation grid is searched the same way, best validation
/// MSE wins. Scalar arithmetic only, so one seed gives the same model on every machine.
/// </summary>
public sealed class BiasedMatrixFactorization : IRatingModel
{
    private const ulong InitStream = 0x4D46_0000_0000_0001;
    private const ulong OrderStream = 0x4D46_0000_0000_0002;

    private readonly MatrixFactorizationOptions _options;
    private readonly float[] _regularizations;
    private Parameters? _parameters;
    private RatingRange _range;

    /// <summary>Creates the model with the given settings (defaults when null).</summary>
    public BiasedMatrixFactorization(MatrixFactorizationOptions? options = null)
    {
        _options = options ?? new MatrixFactorizationOptions();
        _regularizations = [.. _options.Regularizations ?? MatrixFactorizationOptions.DefaultRegularizations];
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxEpochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Patience);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.EpochsWithoutValidation);
        if (_regularizations.Length == 0 || _regularizations.Any(r => !(r >= 0)) || !(_options.LearningRate > 0))
        {
            throw new ArgumentException("Needs a positive learning rate and at least one non-negative regularisation.", nameof(options));
        }
    }

    /// <inheritdoc />
    public string Name => "biased-mf";

    /// <summary>The chosen regularisation.</summary>
    public float Regularization => Fitted.Regularization;

    /// <summary>The epochs of the restored (best) parameters.</summary>
    public int Epochs => Fitted.Epochs;

    /// <summary>Every regularisation tried, with its best epoch and validation MSE.</summary>
    public IReadOnlyList<ModelSelectionTrial> Trials { get; private set; } = [];

    private Parameters Fitted => _parameters ?? throw new InvalidOperationException("The model is not fitted.");

    /// <inheritdoc />
    public void Fit(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var trainSet = RatingTriples.From(dataset, train);
        var validSet = RatingTriples.From(dataset, validation);
        var mean = (float)trainSet.Mean();
        _range = dataset.RatingRange!.Value;

        var trials = new List<ModelSelectionTrial>();
        Parameters? best = null;
        foreach (var reg in validSet.Count == 0 ? [_regularizations[_regularizations.Length / 2]] : _regularizations)
        {
            var fitted = Train(dataset, trainSet, validSet, mean, reg, seed);
            trials.Add(new ModelSelectionTrial(reg, fitted.Epochs, fitted.ValidationMse));
            if (best is null || fitted.ValidationMse < best.ValidationMse)
            {
                best = fitted;
            }
        }

        _parameters = best;
        Trials = trials;
    }

    /// <inheritdoc />
    public float Predict(int user, int item) => _range.Clamp(Fitted.Predict(user, item));

    private Parameters Train(Dataset dataset, RatingTriples train, RatingTriples valid, float mean, float reg, int seed)
    {
        var dims = _options.Dimensions;
        var current = new Parameters(mean, dataset.UserCount, dataset.ItemCount, dims) { Regularization = reg };
        var init = new SeededRandom(seed, InitStream);
        var bound = _options.InitStd * MathF.Sqrt(3f);
        InitFactors(current.UserFactors, train.Users, dataset.UserCount);
        InitFactors(current.ItemFactors, train.Items, dataset.ItemCount);

        var order = new SeededRandom(seed, OrderStream);
        var visit = Enumerable.Range(0, train.Count).ToArray();
        var lr = _options.LearningRate;
        var epochs = valid.Count == 0 ? _options.EpochsWithoutValidation : _options.MaxEpochs;
        Parameters? best = null;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            order.Shuffle(visit.AsSpan());
            foreach (var n in visit)
            {
                current.Step(train.Users[n], train.Items[n], train.Ratings[n], lr, reg);
            }

            if (valid.Count == 0)
            {
                continue;
            }

            var mse = valid.Mse((u, i) => _range.Clamp(current.Predict(u, i)));
            if (best is null || mse < best.ValidationMse)
            {
                best = current.Clone();
                best.Epochs = epoch;
                best.ValidationMse = mse;
            }
            else if (epoch - best.Epochs >= _options.Patience)
            {
                break;
            }
        }

        if (best is null)
        {
            current.Epochs = epochs;
            current.ValidationMse = double.NaN;
        }

        return best ?? current;

        // Uniform with the configured standard deviation, drawn for every row so that draws do not depend on which
        // ids are in training; rows of ids without training ratings are then zeroed.
        void InitFactors(float[] factors, int[] seen, int count)
        {
            for (var n = 0; n < factors.Length; n++)
            {
                factors[n] = (float)((init.NextDouble() * 2 - 1) * bound);
            }

            var present = new bool[count];
            foreach (var id in seen)
            {
                present[id] = true;
            }

            for (var id = 0; id < count; id++)
            {
                if (!present[id])
                {
                    Array.Clear(factors, id * dims, dims);
                }
            }
        }
    }

    private sealed class Parameters(float mean, int users, int items, int dims)
    {
        public float Mean { get; } = mean;

        public float[] UserBias { get; private init; } = new float[users];

        public float[] ItemBias { get; private init; } = new float[items];

        public float[] UserFactors { get; private init; } = new float[users * dims];

        public float[] ItemFactors { get; private init; } = new float[items * dims];

        public float Regularization { get; init; }

        public int Epochs { get; set; }

        public double ValidationMse { get; set; }

        public float Predict(int user, int item)
        {
            var knownUser = (uint)user < (uint)UserBias.Length;
            var knownItem = (uint)item < (uint)ItemBias.Length;
            var prediction = Mean + (knownUser ? UserBias[user] : 0f) + (knownItem ? ItemBias[item] : 0f);
            return knownUser && knownItem ? prediction + Dot(user, item) : prediction;
        }

        public void Step(int user, int item, float rating, float lr, float reg)
        {
            var error = rating - (Mean + UserBias[user] + ItemBias[item] + Dot(user, item));
            UserBias[user] += lr * (error - reg * UserBias[user]);
            ItemBias[item] += lr * (error - reg * ItemBias[item]);
            var p = UserFactors.AsSpan(user * dims, dims);
            var q = ItemFactors.AsSpan(item * dims, dims);
            for (var k = 0; k < p.Length; k++)
            {
                var pk = p[k];
                var qk = q[k];
                p[k] += lr * ((error * qk) - (reg * pk));
                q[k] += lr * ((error * pk) - (reg * qk));
            }
        }

        public Parameters Clone() => new(Mean, 0, 0, dims)
        {
            UserBias = (float[])UserBias.Clone(),
            ItemBias = (float[])ItemBias.Clone(),
            UserFactors = (float[])UserFactors.Clone(),
            ItemFactors = (float[])ItemFactors.Clone(),
            Regularization = Regularization,
        };

        private float Dot(int user, int item)
        {
            var p = UserFactors.AsSpan(user * dims, dims);
            var q = ItemFactors.AsSpan(item * dims, dims);
            var sum = 0f;
            for (var k = 0; k < p.Length; k++)
            {
                sum += p[k] * q[k];
            }

            return sum;
        }
    }
}
