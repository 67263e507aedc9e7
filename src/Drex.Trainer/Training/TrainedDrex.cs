using Drex.Model.Bundle;
using Drex.Model.Keywords;
using Drex.Model.Onnx;
using static TorchSharp.torch;

namespace Drex.Trainer.Training;

/// <summary>
/// One side's actors after a replay: final states, per-id start states (learned initial state plus offset), which
/// ids training saw, interaction and rating counts and biases; <see cref="Initial"/> is the learned state for unseen ids.
/// </summary>
internal sealed record ActorTable(float[] States, float[] Starts, bool[] Seen, int[] Counts, int[] Ratings, float[] Biases, float[] Initial)
{
    public int Hidden => Initial.Length;

    public float[] State(int a) => Seen[a] ? States.AsSpan(a * Hidden, Hidden).ToArray() : Initial;

    public float[] Start(int a) => Seen[a] ? Starts.AsSpan(a * Hidden, Hidden).ToArray() : Initial;

    /// <summary>Biases of ids training never saw stay exactly zero (zero-initialised, never a gradient).</summary>
    public float Bias(int a) => Seen[a] ? Biases[a] : 0f;
}

/// <summary>Which actor states a bundle's snapshot holds.</summary>
internal enum SnapshotPoint
{
    /// <summary>States after every training interaction: the online system continues from here.</summary>
    End,

    /// <summary>Per-id starting states before any interaction: replaying the training interactions rebuilds End.</summary>
    Start,
}

/// <summary>
/// A trained network with every actor's state after replaying the training interactions: predicts held-out
/// ratings and exports the model bundle.
/// </summary>
internal sealed class TrainedDrex(DrexNet net, TrainingData data, ActorTable users, ActorTable items, float[]?[] attention)
    : IDisposable
{
    public DrexNet Net => net;

    public ModelSettings Settings => net.Settings;

    public ActorTable Users => users;

    public ActorTable Items => items;

    /// <summary>Attention weights over each training review's tokens from the final replay (null: no review).</summary>
    public IReadOnlyList<float[]?> Attention => attention;

    /// <summary>Clamped predictions for interactions (by index), from final states; nothing is updated.</summary>
    public float[] Predict(IReadOnlyList<int> interactions) => Predict(interactions, clamp: true);

    private float[] Predict(IReadOnlyList<int> interactions, bool clamp, bool baselineOnly = false)
    {
        if (interactions.Count == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = net.parameters().First().device;
        var h = Settings.HiddenDim;
        var p = new float[interactions.Count * h];
        var q = new float[interactions.Count * h];
        for (var k = 0; k < interactions.Count; k++)
        {
            users.State(data.Users[interactions[k]]).CopyTo(p, k * h);
            items.State(data.Items[interactions[k]]).CopyTo(q, k * h);
        }

        var u = tensor(interactions.Select(x => (long)data.Users[x]).ToArray(), device: device);
        var i = tensor(interactions.Select(x => (long)data.Items[x]).ToArray(), device: device);
        var raw = baselineOnly
            ? net.Baseline(u, i)
            : net.Predict(tensor(p, [interactions.Count, h], device: device), tensor(q, [interactions.Count, h], device: device), u, i);
        using var cpu = raw.cpu();
        var values = cpu.data<float>().ToArray();
        return clamp ? values.Select(Settings.Clamp).ToArray() : values;
    }

    /// <summary>
    /// Fits the head's calibration (scale and shift of the interaction term) by least squares on the rated
    /// interactions given (validation), sets it on the network and returns it. Identity when there are too few.
    /// </summary>
    public (float Scale, float Shift) Calibrate(IReadOnlyList<int> interactions)
    {
        net.Calibration = (1f, 0f);
        var rated = interactions.Where(data.HasRating).ToArray();
        if (rated.Length < 20)
        {
            return net.Calibration;
        }

        var predictions = Predict(rated, clamp: false);
        var baseline = Predict(rated, clamp: false, baselineOnly: true);
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var k = 0; k < rated.Length; k++)
        {
            double x = predictions[k] - baseline[k], y = data.Ratings[rated[k]] - baseline[k];
            (sx, sy, sxx, sxy) = (sx + x, sy + y, sxx + x * x, sxy + x * y);
        }

        var n = rated.Length;
        var variance = sxx / n - sx / n * (sx / n);
        var scale = variance > 1e-9 ? Math.Clamp((sxy / n - sx / n * (sy / n)) / variance, 0, 2) : 1;
        var shift = sy / n - scale * (sx / n);
        net.Calibration = ((float)scale, (float)shift);
        return net.Calibration;
    }

    /// <summary>The clamped prediction for a (user, item) pair by index from the final states.</summary>
    public float PredictPair(int user, int item)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = net.parameters().First().device;
        var h = Settings.HiddenDim;
        var raw = net.Predict(
            tensor(users.State(user), [1, h], device: device), tensor(items.State(item), [1, h], device: device),
            tensor(new long[] { user }, device: device), tensor(new long[] { item }, device: device));
        return Settings.Clamp(raw.cpu().item<float>());
    }

    /// <summary>(MSE, MAE) on the rated interactions among the given ones.</summary>
    public (double Mse, double Mae) Evaluate(IReadOnlyList<int> interactions)
    {
        var rated = interactions.Where(data.HasRating).ToArray();
        if (rated.Length == 0)
        {
            return (double.NaN, double.NaN);
        }

        var predictions = Predict(rated);
        double se = 0, ae = 0;
        for (var k = 0; k < rated.Length; k++)
        {
            var e = predictions[k] - data.Ratings[rated[k]];
            se += e * e;
            ae += Math.Abs(e);
        }

        return (se / rated.Length, ae / rated.Length);
    }

    /// <summary>The ONNX graphs of this model.</summary>
    public IReadOnlyDictionary<string, byte[]> Graphs() => DrexGraphs.Build(Settings, net.ExportWeights());

    /// <summary>Every seen actor's state, bias and counts at the given point, with keyword profiles.</summary>
    public ActorSnapshot Snapshot(
        SnapshotPoint point, IReadOnlyList<string> userIds, IReadOnlyList<string> itemIds,
        Func<bool, int, KeywordWeight[]> keywords)
    {
        ActorColumns Records(ActorTable table, IReadOnlyList<string> ids, bool user) =>
            [.. Enumerable.Range(0, table.Seen.Length).Where(a => table.Seen[a])
                .Select(a => point == SnapshotPoint.End
                    ? new ActorRecord(ids[a], table.State(a), table.Biases[a], table.Counts[a], table.Ratings[a], keywords(user, a))
                    : new ActorRecord(ids[a], table.Start(a), table.Biases[a], 0, 0, []))];

        return new ActorSnapshot
        {
            UserInitial = users.Initial,
            ItemInitial = items.Initial,
            Users = Records(users, userIds, true),
            Items = Records(items, itemIds, false),
        };
    }

    public void Dispose() => net.Dispose();
}
