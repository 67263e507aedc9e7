using Drex.Model.Bundle;
using Drex.Model.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Drex.Model.Runtime;

/// <summary>The inputs of one interaction for the interaction encoder: token vectors of its review and/or a rating.</summary>
/// <param name="Tokens">Token vectors, row-major [length, TextDim]; empty when there is no review.</param>
/// <param name="Length">Number of tokens (0 when there is no review).</param>
/// <param name="Rating">The rating, or null.</param>
public readonly record struct InteractionInput(float[] Tokens, int Length, float? Rating);

/// <summary>The fused interaction feature and the attention weights over the review's tokens.</summary>
public sealed record InteractionFeature(float[] Feature, float[] Attention);

/// <summary>
/// Runs a bundle's ONNX graphs with ONNX Runtime: the interaction encoder, the user and item GRU steps and both
/// heads. Thread-safe: ONNX Runtime sessions may run concurrently.
/// </summary>
public sealed class DrexRuntime : IDisposable
{
    private readonly InferenceSession _encoder;
    private readonly InferenceSession _userCell;
    private readonly InferenceSession _itemCell;
    private readonly InferenceSession _dotHead;
    private readonly InferenceSession _mlpHead;
    private readonly RunOptions _run = new();

    // The feature of an interaction with a rating and no review depends on its rating level alone: one run per level.
    private readonly InteractionFeature?[] _ratingOnly;

    // Serving's single steps and predictions, batched across the callers that arrive together.
    private readonly MicroBatcher<(float[] Feature, float[] State), float[]> _userSteps;
    private readonly MicroBatcher<(float[] Feature, float[] State), float[]> _itemSteps;
    private readonly MicroBatcher<(float[] User, float UserBias, float[] Item, float ItemBias), float> _predictions;

    /// <summary>The most single steps or predictions one batched run serves.</summary>
    public const int MaxServingBatch = 64;

    public DrexRuntime(ModelBundle bundle)
    {
        Bundle = bundle;
        Settings = bundle.Settings;
        _ratingOnly = new InteractionFeature?[Math.Max(1, Settings.RatingLevels)];
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        var created = new List<InferenceSession>();
        try
        {
            InferenceSession Open(string file)
            {
                try
                {
                    var session = new InferenceSession(bundle.Graphs[file], options);
                    created.Add(session);
                    return session;
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidDataException($"{file} is not a valid ONNX graph: {e.Message}", e);
                }
            }

            _encoder = Open(DrexGraphs.InteractionEncoderFile);
            _userCell = Open(DrexGraphs.UserCellFile);
            _itemCell = Open(DrexGraphs.ItemCellFile);
            _dotHead = Open(DrexGraphs.DotHeadFile);
            _mlpHead = Open(DrexGraphs.MlpHeadFile);
            CheckShapes();
            _userSteps = new(batch => StepRows(_userCell, batch), MaxServingBatch);
            _itemSteps = new(batch => StepRows(_itemCell, batch), MaxServingBatch);
            _predictions = new(PredictRows, MaxServingBatch);
        }
        catch
        {
            created.ForEach(s => s.Dispose());
            throw;
        }
    }

    public ModelBundle Bundle { get; }

    public ModelSettings Settings { get; }

    public string Version => Bundle.Version;

    /// <summary>Fuses a batch of interactions into features (one row each) with their attention weights.</summary>
    public IReadOnlyList<InteractionFeature> Encode(IReadOnlyList<InteractionInput> batch)
    {
        var n = batch.Count;
        if (n == 0)
        {
            return [];
        }

        var d = Settings.TextDim;
        var length = Math.Max(1, batch.Max(b => b.Length));
        var tokens = new float[n * length * d];
        var mask = new float[n * length];
        var levels = new long[n];
        var hasRating = new float[n];
        var hasReview = new float[n];
        for (var b = 0; b < n; b++)
        {
            var x = batch[b];
            if (x.Length * d > x.Tokens.Length)
            {
                throw new ArgumentException($"Interaction {b} claims {x.Length} tokens but carries {x.Tokens.Length / d}.");
            }

            x.Tokens.AsSpan(0, x.Length * d).CopyTo(tokens.AsSpan(b * length * d));
            mask.AsSpan(b * length, x.Length).Fill(1f);
            hasReview[b] = x.Length > 0 ? 1f : 0f;
            if (x.Rating is { } r)
            {
                hasRating[b] = 1f;
                levels[b] = Settings.RatingLevel(r);
            }

            if (x.Length == 0 && x.Rating is null)
            {
                throw new ArgumentException($"Interaction {b} has neither a rating nor a review.");
            }
        }

        using var tokensValue = OrtValue.CreateTensorValueFromMemory(tokens, [n, length, d]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [n, length]);
        using var levelValue = OrtValue.CreateTensorValueFromMemory(levels, [n]);
        using var ratingValue = OrtValue.CreateTensorValueFromMemory(hasRating, [n, 1]);
        using var reviewValue = OrtValue.CreateTensorValueFromMemory(hasReview, [n, 1]);
        using var outputs = _encoder.Run(
            _run,
            [DrexGraphs.Names.Tokens, DrexGraphs.Names.TokenMask, DrexGraphs.Names.RatingLevel, DrexGraphs.Names.HasRating, DrexGraphs.Names.HasReview],
            [tokensValue, maskValue, levelValue, ratingValue, reviewValue],
            [DrexGraphs.Names.Feature, DrexGraphs.Names.Attention]);
        var features = outputs[0].GetTensorDataAsSpan<float>();
        var attention = outputs[1].GetTensorDataAsSpan<float>();
        var f = Settings.FusionDim;
        var result = new InteractionFeature[n];
        for (var b = 0; b < n; b++)
        {
            result[b] = new InteractionFeature(
                features.Slice(b * f, f).ToArray(),
                attention.Slice(b * length, batch[b].Length).ToArray());
        }

        return result;
    }

    /// <summary>
    /// Fuses one interaction. A rating without a review is fused once per rating level and the result shared, so its
    /// arrays are read-only to callers (rating-only interactions are most of the traffic, and each run of the encoder
    /// costs more than the GRU step it feeds).
    /// </summary>
    public InteractionFeature Encode(InteractionInput input)
    {
        if (input.Length == 0 && input.Rating is { } rating)
        {
            // A race computes the same feature twice; either copy may stay.
            var level = Settings.RatingLevel(rating);
            return _ratingOnly[level] ??= Encode([input])[0];
        }

        return Encode([input])[0];
    }

    /// <summary>One GRU step for a batch of users: features [n, F], states [n, H] -> new states [n, H].</summary>
    public float[] StepUsers(float[] features, float[] states, int n) => Step(_userCell, features, states, n);

    /// <summary>One GRU step for a batch of items: features [n, F], states [n, H] -> new states [n, H].</summary>
    public float[] StepItems(float[] features, float[] states, int n) => Step(_itemCell, features, states, n);

    public float[] StepUser(float[] feature, float[] state) => Step(_userCell, feature, state, 1);

    public float[] StepItem(float[] feature, float[] state) => Step(_itemCell, feature, state, 1);

    /// <summary>One user's GRU step, run in a batch with the steps other callers ask for at the same time.</summary>
    public Task<float[]> StepUserAsync(float[] feature, float[] state) => CheckStep(feature, state) ?? _userSteps.RunAsync((feature, state));

    /// <summary>One item's GRU step, run in a batch with the steps other callers ask for at the same time.</summary>
    public Task<float[]> StepItemAsync(float[] feature, float[] state) => CheckStep(feature, state) ?? _itemSteps.RunAsync((feature, state));

    /// <summary>One rating with the served head, run in a batch with the predictions other callers ask for at the same time.</summary>
    public Task<float> PredictAsync(float[] user, float userBias, float[] item, float itemBias) =>
        user.Length != Settings.HiddenDim || item.Length != Settings.HiddenDim
            ? Task.FromException<float>(new ArgumentException($"A prediction needs two states of {Settings.HiddenDim}; got {user.Length} and {item.Length}."))
            : _predictions.RunAsync((user, userBias, item, itemBias));

    /// <summary>Predicts ratings for n (user, item) pairs with the given head, clamped to the rating range.</summary>
    public float[] Predict(RatingHead head, float[] users, float[] userBiases, float[] items, float[] itemBiases, int n)
    {
        var raw = PredictRaw(head, users, userBiases, items, itemBiases, n);
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = Settings.Clamp(raw[i]);
        }

        return raw;
    }

    /// <summary>The heads' outputs before clamping.</summary>
    public float[] PredictRaw(RatingHead head, float[] users, float[] userBiases, float[] items, float[] itemBiases, int n)
    {
        var h = Settings.HiddenDim;
        using var p = OrtValue.CreateTensorValueFromMemory(users, [n, h]);
        using var q = OrtValue.CreateTensorValueFromMemory(items, [n, h]);
        float[] raw;
        if (head == RatingHead.Dot)
        {
            using var bu = OrtValue.CreateTensorValueFromMemory(userBiases, [n, 1]);
            using var bi = OrtValue.CreateTensorValueFromMemory(itemBiases, [n, 1]);
            using var outputs = _dotHead.Run(
                _run,
                [DrexGraphs.Names.User, DrexGraphs.Names.Item, DrexGraphs.Names.UserBias, DrexGraphs.Names.ItemBias],
                [p, q, bu, bi],
                [DrexGraphs.Names.Rating]);
            raw = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        else
        {
            using var outputs = _mlpHead.Run(_run, [DrexGraphs.Names.User, DrexGraphs.Names.Item], [p, q], [DrexGraphs.Names.Rating]);
            raw = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        return raw;
    }

    /// <summary>Predicts one rating with the bundle's served head.</summary>
    public float Predict(float[] user, float userBias, float[] item, float itemBias) =>
        Predict(Settings.Head, user, [userBias], item, [itemBias], 1)[0];

    public void Dispose()
    {
        _encoder.Dispose();
        _userCell.Dispose();
        _itemCell.Dispose();
        _dotHead.Dispose();
        _mlpHead.Dispose();
        _run.Dispose();
    }

    private float[] Step(InferenceSession cell, float[] features, float[] states, int n)
    {
        var (f, h) = (Settings.FusionDim, Settings.HiddenDim);
        if (features.Length != n * f || states.Length != n * h)
        {
            throw new ArgumentException($"A GRU step needs {n}x{f} features and {n}x{h} states.");
        }

        using var x = OrtValue.CreateTensorValueFromMemory(features, [n, f]);
        using var s = OrtValue.CreateTensorValueFromMemory(states, [n, h]);
        using var outputs = cell.Run(_run, [DrexGraphs.Names.Input, DrexGraphs.Names.State], [x, s], [DrexGraphs.Names.NewState]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    // Checked per request, so a malformed one fails alone rather than the batch it would have joined.
    private Task<float[]>? CheckStep(float[] feature, float[] state) =>
        feature.Length != Settings.FusionDim || state.Length != Settings.HiddenDim
            ? Task.FromException<float[]>(new ArgumentException(
                $"A GRU step needs a feature of {Settings.FusionDim} and a state of {Settings.HiddenDim}; got {feature.Length} and {state.Length}."))
            : null;

    private float[][] StepRows(InferenceSession cell, (float[] Feature, float[] State)[] batch)
    {
        var (f, h, n) = (Settings.FusionDim, Settings.HiddenDim, batch.Length);
        var features = new float[n * f];
        var states = new float[n * h];
        for (var k = 0; k < n; k++)
        {
            batch[k].Feature.CopyTo(features, k * f);
            batch[k].State.CopyTo(states, k * h);
        }

        var next = Step(cell, features, states, n);
        return [.. Enumerable.Range(0, n).Select(k => next.AsSpan(k * h, h).ToArray())];
    }

    private float[] PredictRows((float[] User, float UserBias, float[] Item, float ItemBias)[] batch)
    {
        var (h, n) = (Settings.HiddenDim, batch.Length);
        var (users, items) = (new float[n * h], new float[n * h]);
        for (var k = 0; k < n; k++)
        {
            batch[k].User.CopyTo(users, k * h);
            batch[k].Item.CopyTo(items, k * h);
        }

        return Predict(Settings.Head, users, [.. batch.Select(b => b.UserBias)], items, [.. batch.Select(b => b.ItemBias)], n);
    }

    private void CheckShapes()
    {
        static void Expect(InferenceSession session, string file, string input, int dim, int expected)
        {
            if (!session.InputMetadata.TryGetValue(input, out var meta))
            {
                throw new InvalidDataException($"{file} has no input '{input}'.");
            }

            if (meta.Dimensions.Length <= dim || meta.Dimensions[dim] != expected)
            {
                throw new InvalidDataException(
                    $"{file} input '{input}' has shape [{string.Join(",", meta.Dimensions)}]; the manifest needs size {expected} at axis {dim}.");
            }
        }

        Expect(_encoder, DrexGraphs.InteractionEncoderFile, DrexGraphs.Names.Tokens, 2, Settings.TextDim);
        Expect(_userCell, DrexGraphs.UserCellFile, DrexGraphs.Names.Input, 1, Settings.FusionDim);
        Expect(_userCell, DrexGraphs.UserCellFile, DrexGraphs.Names.State, 1, Settings.HiddenDim);
        Expect(_itemCell, DrexGraphs.ItemCellFile, DrexGraphs.Names.Input, 1, Settings.FusionDim);
        Expect(_itemCell, DrexGraphs.ItemCellFile, DrexGraphs.Names.State, 1, Settings.HiddenDim);
        Expect(_dotHead, DrexGraphs.DotHeadFile, DrexGraphs.Names.User, 1, Settings.HiddenDim);
        Expect(_mlpHead, DrexGraphs.MlpHeadFile, DrexGraphs.Names.User, 1, Settings.HiddenDim);
    }
}
