using Drex.Model.Bundle;
using TorchSharp;
using static TorchSharp.torch;

namespace Drex.Trainer.Training;

/// <summary>What one training epoch achieved.</summary>
internal sealed record EpochReport(int Epoch, double TrainMse, double ValidMse, double ValidMae, bool Best, TimeSpan Elapsed);

/// <summary>
/// Trains DReX with TorchSharp: chronological passes over the training interactions in t-batches, predict-then-
/// update MSE loss, Adam, gradient clipping, truncated BPTT and early stopping on validation MSE.
/// </summary>
internal sealed class DrexTrainer(TrainerOptions options)
{
    /// <summary>Whether libtorch can run on a CUDA device here (a GPU, and a CUDA build of libtorch loaded).</summary>
    public static bool CudaAvailable => cuda.is_available();

    public static Device ResolveDevice(string device) => device switch
    {
        "cpu" => CPU,
        "cuda" => CudaAvailable ? CUDA : throw new InvalidOperationException("CUDA was asked for but torch.cuda.is_available() is false (is a libtorch CUDA build loaded? see docs/GPU.md)."),
        "auto" => CudaAvailable ? CUDA : CPU,
        _ => throw new ArgumentException($"Unknown device '{device}' (cpu, cuda or auto)."),
    };

    public TrainedDrex Train(
        TrainingData data, IReadOnlyList<int> train, IReadOnlyList<int> valid, ModelSettings settings, int seed,
        IProgress<EpochReport>? progress = null, (float[] Users, float[] Items)? biases = null,
        CancellationToken cancellationToken = default, float[]? trainBaseline = null)
    {
        var device = ResolveDevice(options.Device);
        random.manual_seed(seed);
        var net = new DrexNet(settings, data.UserCount, data.ItemCount, options.PerIdOffsets, options.Dropout, options.AuxTextLoss > 0);
        if (biases is { } b)
        {
            net.InitializeBiases(b.Users, b.Items, options.FreezeBiases || trainBaseline is not null);
        }

        net.to(device);
        var steps = Steps(data.TBatches(train));
        using var optimizer = optim.Adam(net.parameters().Where(p => p.requires_grad), options.LearningRate, weight_decay: options.WeightDecay);

        Dictionary<string, Tensor>? best = null;
        var bestMse = double.PositiveInfinity;
        var sinceBest = 0;
        var bestCalibration = (1f, 0f);
        for (var epoch = 1; epoch <= options.MaxEpochs && sinceBest < options.Patience; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = DateTime.UtcNow;
            net.train();
            net.Calibration = (1f, 0f);
            var trainMse = new Pass(net, data, device, baseline: trainBaseline).Run(steps, optimizer, options);
            var states = Replay(net, data, steps, device);
            var calibration = states.Calibrate(valid);
            var (validMse, validMae) = states.Evaluate(valid);
            var improved = validMse < bestMse || valid.Count == 0;
            if (improved)
            {
                bestMse = validMse;
                sinceBest = 0;
                DisposeAll(best);
                best = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
                bestCalibration = calibration;
            }
            else
            {
                sinceBest++;
            }

            progress?.Report(new EpochReport(epoch, trainMse, validMse, validMae, improved, DateTime.UtcNow - started));
        }

        if (best is not null)
        {
            net.load_state_dict(best);
            DisposeAll(best);
        }

        net.Calibration = bestCalibration;

        return Replay(net, data, steps, device);
    }

    /// <summary>Runs the training interactions through a network without learning: the final actor states.</summary>
    internal static TrainedDrex Replay(DrexNet net, TrainingData data, List<List<List<int>>> steps, Device device)
    {
        net.eval();
        using var _ = no_grad();
        var pass = new Pass(net, data, device, collectAttention: true);
        pass.Run(steps, optimizer: null, options: null);
        return pass.Finish();
    }

    /// <summary>Groups consecutive t-batches into optimiser steps of at least StepInteractions interactions.</summary>
    internal List<List<List<int>>> Steps(List<List<int>> tbatches)
    {
        var steps = new List<List<List<int>>>();
        var current = new List<List<int>>();
        var size = 0;
        foreach (var batch in tbatches)
        {
            current.Add(batch);
            size += batch.Count;
            if (size >= options.StepInteractions)
            {
                steps.Add(current);
                current = [];
                size = 0;
            }
        }

        if (current.Count > 0)
        {
            steps.Add(current);
        }

        return steps;
    }

    private static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        foreach (var t in tensors?.Values ?? Enumerable.Empty<Tensor>())
        {
            t.Dispose();
        }
    }

    /// <summary>One chronological pass: states live here, detached between steps.</summary>
    private sealed class Pass(DrexNet net, TrainingData data, Device device, bool collectAttention = false, float[]? baseline = null)
    {
        // Held for the pass: a temporary Scalar (the implicit alpha of Tensor + Tensor) can be finalised while the
        // native call that uses it still runs ("Expected false to be true" from c10::Scalar::toFloat).
        private readonly Scalar _one = 1f.ToScalar();
        private readonly int _hidden = net.Settings.HiddenDim;
        private readonly bool[] _userTouched = new bool[data.UserCount];
        private readonly bool[] _itemTouched = new bool[data.ItemCount];
        private readonly int[] _userCounts = new int[data.UserCount];
        private readonly int[] _itemCounts = new int[data.ItemCount];
        private readonly int[] _userRatings = new int[data.UserCount];
        private readonly int[] _itemRatings = new int[data.ItemCount];
        private readonly float[]?[] _attention = new float[data.Count][];
        private Tensor _users = zeros(data.UserCount, net.Settings.HiddenDim, device: device);
        private Tensor _items = zeros(data.ItemCount, net.Settings.HiddenDim, device: device);

        public double Run(List<List<List<int>>> steps, optim.Optimizer? optimizer, TrainerOptions? options)
        {
            double squaredError = 0;
            long rated = 0;
            foreach (var step in steps)
            {
                var (previousUsers, previousItems) = (_users, _items);
                using var scope = NewDisposeScope();
                var all = step.SelectMany(b => b).ToArray();
                var (feature, attention, text) = Features(all);
                if (collectAttention)
                {
                    CollectAttention(all, attention);
                }

                var row = 0;
                Tensor? loss = null;
                Tensor penalty = zeros(1, device: device);
                var stepRated = 0;
                if (optimizer is not null && options is { AuxTextLoss: > 0 })
                {
                    // Auxiliary sentiment loss: each rated review's text feature (t_s with a sentiment attention, else
                    // t_d) predicts its own rating.
                    var auxRows = Enumerable.Range(0, all.Length).Where(k => data.HasRating(all[k]) && data.ReviewLength(all[k]) > 0).ToArray();
                    if (auxRows.Length > 0)
                    {
                        var sel = tensor(auxRows.Select(k => (long)k).ToArray(), device: device);
                        var target = tensor(auxRows.Select(k => data.Ratings[all[k]] - net.Settings.GlobalMean).ToArray(), device: device);
                        using var weight = options.AuxTextLoss.ToScalar();
                        penalty = penalty.add(net.AuxiliaryRating(text.index_select(0, sel)).sub(target).Squared().sum().mul(weight), _one);
                    }
                }

                foreach (var batch in step)
                {
                    var rows = arange(row, row + batch.Count, dtype: ScalarType.Int64, device: device);
                    row += batch.Count;
                    var f = feature.index_select(0, rows);
                    var u = Index(batch.Select(x => data.Users[x]));
                    var i = Index(batch.Select(x => data.Items[x]));
                    var p = State(_users, _userTouched, batch.Select(x => data.Users[x]), u, net.UserInitial);
                    var q = State(_items, _itemTouched, batch.Select(x => data.Items[x]), i, net.ItemInitial);

                    var ratedRows = batch.Select((x, k) => (x, k)).Where(t => data.HasRating(t.x)).ToArray();
                    if (ratedRows.Length > 0 && optimizer is not null)
                    {
                        var sel = tensor(ratedRows.Select(t => (long)t.k).ToArray(), device: device);
                        var target = tensor(ratedRows.Select(t => data.Ratings[t.x]).ToArray(), device: device);
                        var prediction = baseline is null
                            ? net.Predict(p.index_select(0, sel), q.index_select(0, sel), u.index_select(0, sel), i.index_select(0, sel))
                            : tensor(ratedRows.Select(t => baseline[t.x]).ToArray(), device: device)
                              .add(net.InteractionTerm(p.index_select(0, sel), q.index_select(0, sel)), _one);
                        var se = prediction.sub(target).Squared().sum();
                        loss = loss is null ? se : loss.add(se, _one);
                        if (options is { PerIdL2: > 0 })
                        {
                            using var l2 = options.PerIdL2.ToScalar();
                            penalty = penalty.add(net.PerIdPenalty(u.index_select(0, sel), i.index_select(0, sel)).mul(l2), _one);
                        }
                        stepRated += ratedRows.Length;
                    }

                    _users = Replace(_users, u, net.StepUsers(f, p));
                    _items = Replace(_items, i, net.StepItems(f, q));
                    foreach (var x in batch)
                    {
                        _userTouched[data.Users[x]] = true;
                        _itemTouched[data.Items[x]] = true;
                        _userCounts[data.Users[x]]++;
                        _itemCounts[data.Items[x]]++;
                        if (data.HasRating(x))
                        {
                            _userRatings[data.Users[x]]++;
                            _itemRatings[data.Items[x]]++;
                        }
                    }
                }

                if (optimizer is not null && loss is not null)
                {
                    optimizer.zero_grad();
                    using var count = ((double)stepRated).ToScalar();
                    loss.add(penalty, _one).div(count).backward();
                    if (options!.GradientClip > 0)
                    {
                        nn.utils.clip_grad_norm_(net.parameters().Where(p => p.requires_grad), options.GradientClip);
                    }

                    optimizer.step();
                    squaredError += loss.item<float>();
                    rated += stepRated;
                }

                // Truncated BPTT: the next step starts from detached states.
                _users = _users.detach().MoveToOuterDisposeScope();
                _items = _items.detach().MoveToOuterDisposeScope();
                previousUsers.Dispose();
                previousItems.Dispose();
            }

            return rated == 0 ? double.NaN : squaredError / rated;
        }

        public TrainedDrex Finish()
        {
            var (userInitial, itemInitial) = net.InitialStates();
            using var userStart = net.UserInitial(arange(data.UserCount, dtype: ScalarType.Int64, device: device));
            using var itemStart = net.ItemInitial(arange(data.ItemCount, dtype: ScalarType.Int64, device: device));
            return new TrainedDrex(
                net, data,
                new ActorTable(ToArray(_users), ToArray(userStart), _userTouched, _userCounts, _userRatings, ToArray(net.UserBiases), userInitial),
                new ActorTable(ToArray(_items), ToArray(itemStart), _itemTouched, _itemCounts, _itemRatings, ToArray(net.ItemBiases), itemInitial),
                _attention);
        }

        private (Tensor Feature, Tensor Attention, Tensor Text) Features(int[] rows)
        {
            var d = net.Settings.TextDim;
            var n = rows.Length;
            var length = Math.Max(1, rows.Max(data.ReviewLength));
            var tokens = new float[n * length * d];
            var mask = new float[n * length];
            var levels = new long[n];
            var hasRating = new float[n];
            var hasReview = new float[n];
            for (var b = 0; b < n; b++)
            {
                var x = rows[b];
                var review = data.Reviews[x];
                if (review is { Length: > 0 })
                {
                    review.Vectors.AsSpan().CopyTo(tokens.AsSpan(b * length * d));
                    mask.AsSpan(b * length, review.Length).Fill(1f);
                    hasReview[b] = 1f;
                }

                if (data.HasRating(x))
                {
                    hasRating[b] = 1f;
                    levels[b] = net.Settings.RatingLevel(data.Ratings[x]);
                }
            }

            return net.EncodeWithText(
                tensor(tokens, [n, length, d], device: device),
                tensor(mask, [n, length], device: device),
                tensor(levels, device: device),
                tensor(hasRating, [n, 1], device: device),
                tensor(hasReview, [n, 1], device: device));
        }

        private void CollectAttention(int[] rows, Tensor attention)
        {
            using var cpu = attention.detach().cpu();
            var all = cpu.data<float>().ToArray();
            var length = (int)attention.shape[1];
            for (var b = 0; b < rows.Length; b++)
            {
                var n = data.ReviewLength(rows[b]);
                if (n > 0)
                {
                    _attention[rows[b]] = all.AsSpan(b * length, n).ToArray();
                }
            }
        }

        private Tensor Index(IEnumerable<int> ids) => tensor(ids.Select(x => (long)x).ToArray(), device: device);

        private Tensor State(Tensor states, bool[] touched, IEnumerable<int> ids, Tensor index, Func<Tensor, Tensor> initial)
        {
            var mask = tensor(ids.Select(x => touched[x]).ToArray(), device: device).unsqueeze(1);
            return where(mask, states.index_select(0, index), initial(index));
        }

        private static Tensor Replace(Tensor states, Tensor index, Tensor values) => states.index_copy(0, index, values);

        private static float[] ToArray(Tensor t)
        {
            using var cpu = t.detach().cpu().contiguous();
            return cpu.data<float>().ToArray();
        }
    }
}
