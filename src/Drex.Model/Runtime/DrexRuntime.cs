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
/// Runs a bundle's ONNX graphs: the interaction encoder with ONNX Runtime (it attends over a review's tokens, in
/// batches), the user and item GRU steps and both heads as <see cref="RowGraph"/>s (one row at a time, in managed
/// code: an ONNX Runtime call on one row costs 4 to 20 times as much). Thread-safe.
/// </summary>
public sealed class DrexRuntime : IDisposable
{
    private readonly InferenceSession _encoder;
    private readonly RowGraph _userCell;
    private readonly RowGraph _itemCell;
    private readonly RowGraph _dotHead;
    private readonly RowGraph _mlpHead;
    private readonly RunOptions _run = new();

    // The feature of an interaction with a rating and no review depends on its rating level alone: one run per level.
    private readonly InteractionFeature?[] _ratingOnly;

    public DrexRuntime(ModelBundle bundle)
    {
        Bundle = bundle;
        Settings = bundle.Settings;
        _ratingOnly = new InteractionFeature?[Math.Max(1, Settings.RatingLevels)];
        RowGraph Compile(string file, string[] inputs, string output) =>
            RowGraph.Compile(bundle.Graphs[file], file, inputs, output);

        _userCell = Compile(DrexGraphs.UserCellFile, [DrexGraphs.Names.Input, DrexGraphs.Names.State], DrexGraphs.Names.NewState);
        _itemCell = Compile(DrexGraphs.ItemCellFile, [DrexGraphs.Names.Input, DrexGraphs.Names.State], DrexGraphs.Names.NewState);
        _dotHead = Compile(DrexGraphs.DotHeadFile,
            [DrexGraphs.Names.User, DrexGraphs.Names.Item, DrexGraphs.Names.UserBias, DrexGraphs.Names.ItemBias], DrexGraphs.Names.Rating);
        _mlpHead = Compile(DrexGraphs.MlpHeadFile, [DrexGraphs.Names.User, DrexGraphs.Names.Item], DrexGraphs.Names.Rating);
        CheckRows();
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            _encoder = new InferenceSession(bundle.Graphs[DrexGraphs.InteractionEncoderFile], options);
        }
        catch (OnnxRuntimeException e)
        {
            _run.Dispose();
            throw new InvalidDataException($"{DrexGraphs.InteractionEncoderFile} is not a valid ONNX graph: {e.Message}", e);
        }

        try
        {
            CheckEncoder();
        }
        catch
        {
            _encoder.Dispose();
            _run.Dispose();
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

    /// <summary>One user's GRU step: a new state from a fused feature and the old state.</summary>
    /// <exception cref="ArgumentException">The feature or the state is not of the model's width.</exception>
    public float[] StepUser(float[] feature, float[] state) => Step(_userCell, feature, state);

    /// <summary>One item's GRU step: a new state from a fused feature and the old state.</summary>
    /// <exception cref="ArgumentException">The feature or the state is not of the model's width.</exception>
    public float[] StepItem(float[] feature, float[] state) => Step(_itemCell, feature, state);

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
        if (users.Length != n * h || items.Length != n * h || userBiases.Length != n || itemBiases.Length != n)
        {
            throw new ArgumentException($"{n} predictions need {n}x{h} user and item states and {n} biases of each.");
        }

        var raw = new float[n];
        for (var k = 0; k < n; k++)
        {
            raw[k] = Head(head, users.AsSpan(k * h, h), items.AsSpan(k * h, h), userBiases[k], itemBiases[k]);
        }

        return raw;
    }

    /// <summary>Predicts one rating with the bundle's served head.</summary>
    /// <exception cref="ArgumentException">A state is not of the model's width.</exception>
    public float Predict(float[] user, float userBias, float[] item, float itemBias)
    {
        var h = Settings.HiddenDim;
        if (user.Length != h || item.Length != h)
        {
            throw new ArgumentException($"A prediction needs two states of {h}; got {user.Length} and {item.Length}.");
        }

        return Settings.Clamp(Head(Settings.Head, user, item, userBias, itemBias));
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _run.Dispose();
    }

    /// <summary>One head's output before clamping (the MLP head takes no biases).</summary>
    private float Head(RatingHead head, ReadOnlySpan<float> user, ReadOnlySpan<float> item, float userBias, float itemBias)
    {
        Span<float> rating = stackalloc float[1];
        if (head == RatingHead.Dot)
        {
            _dotHead.Run(user, item, [userBias], [itemBias], rating);
        }
        else
        {
            _mlpHead.Run(user, item, rating);
        }

        return rating[0];
    }

    private float[] Step(RowGraph cell, float[] feature, float[] state)
    {
        if (feature.Length != Settings.FusionDim || state.Length != Settings.HiddenDim)
        {
            throw new ArgumentException(
                $"A GRU step needs a feature of {Settings.FusionDim} and a state of {Settings.HiddenDim}; got {feature.Length} and {state.Length}.");
        }

        var next = new float[Settings.HiddenDim];
        cell.Run(feature, state, next);
        return next;
    }

    private void CheckRows()
    {
        static void Expect(RowGraph graph, int output, params int[] inputs)
        {
            if (!graph.InputWidths.SequenceEqual(inputs) || graph.OutputWidth != output)
            {
                throw new InvalidDataException(
                    $"{graph.File} maps rows of [{string.Join(",", graph.InputWidths)}] to {graph.OutputWidth}; the manifest needs [{string.Join(",", inputs)}] to {output}.");
            }
        }

        var (f, h) = (Settings.FusionDim, Settings.HiddenDim);
        Expect(_userCell, h, f, h);
        Expect(_itemCell, h, f, h);
        Expect(_dotHead, 1, h, h, 1, 1);
        Expect(_mlpHead, 1, h, h);
    }

    private void CheckEncoder()
    {
        if (!_encoder.InputMetadata.TryGetValue(DrexGraphs.Names.Tokens, out var meta) || meta.Dimensions is not [_, _, var d] || d != Settings.TextDim)
        {
            throw new InvalidDataException(
                $"{DrexGraphs.InteractionEncoderFile} input '{DrexGraphs.Names.Tokens}' is not [batch, length, {Settings.TextDim}] as the manifest needs.");
        }
    }
}
