using Drex.Model.Bundle;
using Drex.Trainer.Baselines;
using Drex.Trainer.Data;

namespace Drex.Trainer.Training;

/// <summary>
/// DReX (dot head) or DReX-MLP in the common evaluation harness: trains on the split's training interactions
/// (reviews from the shared <see cref="ReviewLibrary"/>) and predicts from the final replayed states.
/// </summary>
internal sealed class DrexRatingModel(RatingHead head, ReviewLibrary reviews, TrainerOptions options, ModelSettings? shape = null,
    IProgress<EpochReport>? progress = null) : IRatingModel, IDisposable
{
    private TrainedDrex? _trained;
    private TrainingData? _data;

    public string Name => head == RatingHead.Dot ? "drex" : "drex-mlp";

    public TrainedDrex Trained => _trained ?? throw new InvalidOperationException("The model is not fitted.");

    public TrainingData Data => _data ?? throw new InvalidOperationException("The model is not fitted.");

    public void Fit(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation, int seed)
    {
        var range = dataset.RatingRange ?? throw new InvalidOperationException("The dataset has no ratings.");
        _data = reviews.ToTrainingData(dataset);
        var bias = new BiasModel();
        bias.Fit(dataset, train, validation, seed);
        var outOfFoldHead = head == RatingHead.Dot && options.OutOfFoldHead && options.CrossFitFolds > 1 && options.WarmStartBiases;
        var shaped = shape ?? new ModelSettings();
        var settings = shaped with
        {
            Head = head,
            ActorReadouts = shaped.ActorReadouts || outOfFoldHead,
            SentimentAttention = shaped.SentimentAttention || options.SentimentAttention,
            RatingMin = range.Min,
            RatingMax = range.Max,
            GlobalMean = bias.GlobalMean,
        };
        (float[], float[])? biases = options.WarmStartBiases
            ? (Enumerable.Range(0, dataset.UserCount).Select(bias.UserBias).ToArray(),
               Enumerable.Range(0, dataset.ItemCount).Select(bias.ItemBias).ToArray())
            : null;
        var baseline = head == RatingHead.Dot && options.CrossFitFolds > 1 && options.WarmStartBiases
            ? CrossFitBaseline(dataset, train, validation, seed, bias.Lambda, options.CrossFitFolds)
            : null;
        _trained?.Dispose();
        var trainer = new DrexTrainer(options);
        _trained = trainer.Train(_data, train, validation, settings, seed, progress, biases, trainBaseline: baseline);
        if (outOfFoldHead && baseline is not null)
        {
            FitOutOfFoldHead(trainer, _trained, _data, train, validation, baseline, seed, options.CrossFitFolds);
        }
    }

    /// <summary>See <see cref="TrainerOptions.OutOfFoldHead"/>.</summary>
    internal static void FitOutOfFoldHead(DrexTrainer trainer, TrainedDrex trained, TrainingData data, IReadOnlyList<int> train,
        IReadOnlyList<int> validation, float[] baseline, int seed, int folds)
    {
        var net = trained.Net;
        var h = net.Settings.HiddenDim;
        var device = net.parameters().First().device;
        var fold = Folds(train.Count, seed, folds);
        var rows = new List<(float[] P, float[] Q, double Y)>();
        for (var k = 0; k < folds; k++)
        {
            var rest = train.Where((_, j) => fold[j] != k).ToArray();
            // A replay shares the network; it is not disposed (that would dispose the network).
            var replay = DrexTrainer.Replay(net, data, trainer.Steps(data.TBatches(rest)), device);
            for (var j = 0; j < train.Count; j++)
            {
                var x = train[j];
                if (fold[j] == k && data.HasRating(x))
                {
                    rows.Add((replay.Users.State(data.Users[x]), replay.Items.State(data.Items[x]), data.Ratings[x] - baseline[x]));
                }
            }
        }

        // Validation rows from the final states, against the final biases.
        var valid = validation.Where(data.HasRating).Select(x => (
            P: trained.Users.State(data.Users[x]), Q: trained.Items.State(data.Items[x]),
            Base: (double)net.Settings.GlobalMean + trained.Users.Bias(data.Users[x]) + trained.Items.Bias(data.Items[x]),
            R: (double)data.Ratings[x])).ToArray();
        var dims = 3 * h;
        double[] Phi(float[] p, float[] q)
        {
            var f = new double[dims];
            for (var d = 0; d < h; d++)
            {
                f[d] = p[d] * q[d];
                f[h + d] = p[d];
                f[2 * h + d] = q[d];
            }

            return f;
        }

        var n = rows.Count;
        var xs = rows.Select(r => Phi(r.P, r.Q)).ToArray();
        var mean = new double[dims];
        foreach (var f in xs)
        {
            for (var d = 0; d < dims; d++)
            {
                mean[d] += f[d] / n;
            }
        }

        var yMean = rows.Average(r => r.Y);
        var xtx = new double[dims, dims];
        var xty = new double[dims];
        for (var i = 0; i < n; i++)
        {
            var f = xs[i];
            var y = rows[i].Y - yMean;
            for (var a = 0; a < dims; a++)
            {
                var fa = f[a] - mean[a];
                xty[a] += fa * y;
                for (var b = 0; b <= a; b++)
                {
                    xtx[a, b] += fa * (f[b] - mean[b]);
                }
            }
        }

        (double[] W, double C, double Mse)? best = null;
        var lambdas = new[] { 1.0, 3, 10, 30, 100, 300, 1e3, 3e3, 1e4, 3e4, 1e5, double.PositiveInfinity };
        var validFeatures = valid.Select(v => Phi(v.P, v.Q)).ToArray();
        foreach (var lambda in lambdas)
        {
            var w = double.IsPositiveInfinity(lambda) ? new double[dims] : SolveRidge(xtx, xty, lambda);
            var c = yMean - w.Zip(mean, (a, b) => a * b).Sum();
            double se = 0;
            for (var k = 0; k < valid.Length; k++)
            {
                var v = valid[k];
                var term = c + w.Zip(validFeatures[k], (a, b) => a * b).Sum();
                var e = net.Settings.Clamp((float)(v.Base + term)) - v.R;
                se += e * e;
            }

            var mse = se / Math.Max(1, valid.Length);
            if (best is null || mse < best.Value.Mse)
            {
                best = (w, c, mse);
            }
        }

        var (weights, shift, _) = best!.Value;
        net.SetReadouts(
            weights.Take(h).Select(v => (float)v).ToArray(),
            weights.Skip(h).Take(h).Select(v => (float)v).ToArray(),
            weights.Skip(2 * h).Select(v => (float)v).ToArray(),
            (float)shift);
        net.Calibration = (1f, 0f);
    }

    /// <summary>Solves (X'X + lambda I) w = X'y by Cholesky; xtx holds the lower triangle.</summary>
    private static double[] SolveRidge(double[,] xtx, double[] xty, double lambda)
    {
        var m = xty.Length;
        var l = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = xtx[i, j] + (i == j ? lambda : 0);
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                l[i, j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-12)) : sum / l[j, j];
            }
        }

        var z = new double[m];
        for (var i = 0; i < m; i++)
        {
            var sum = xty[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[i, k] * z[k];
            }

            z[i] = sum / l[i, i];
        }

        var w = new double[m];
        for (var i = m - 1; i >= 0; i--)
        {
            var sum = z[i];
            for (var k = i + 1; k < m; k++)
            {
                sum -= l[k, i] * w[k];
            }

            w[i] = sum / l[i, i];
        }

        return w;
    }

    /// <summary>The cross-fit fold of each training interaction (by position in the training list).</summary>
    internal static int[] Folds(int count, int seed, int folds)
    {
        var random = new Random(seed * 7919 + 17);
        return Enumerable.Range(0, count).Select(_ => random.Next(folds)).ToArray();
    }

    /// <summary>
    /// Out-of-fold bias predictions (mu + b_u + b_i) for the training interactions: the bias model is refitted
    /// without each fold (same lambda) and predicts that fold. Training the interaction term against these
    /// baselines means its target is the residual a bias model leaves on ratings it has not seen, as at test time,
    /// instead of the shrunk residual of ratings the warm-started biases were fitted on.
    /// </summary>
    internal static float[] CrossFitBaseline(Dataset dataset, IReadOnlyList<int> train, IReadOnlyList<int> validation,
        int seed, float lambda, int folds)
    {
        var baseline = new float[dataset.Count];
        var fold = Folds(train.Count, seed, folds);
        for (var k = 0; k < folds; k++)
        {
            var fit = new BiasModel([lambda]);
            fit.Fit(dataset, train.Where((_, j) => fold[j] != k).ToArray(), validation, seed);
            for (var j = 0; j < train.Count; j++)
            {
                if (fold[j] == k)
                {
                    var x = train[j];
                    baseline[x] = fit.GlobalMean + fit.UserBias(dataset.Users[x]) + fit.ItemBias(dataset.Items[x]);
                }
            }
        }

        return baseline;
    }

    public float Predict(int user, int item) => Trained.PredictPair(user, item);

    public void Dispose() => _trained?.Dispose();
}
