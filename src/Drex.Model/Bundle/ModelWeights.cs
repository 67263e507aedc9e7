namespace Drex.Model.Bundle;

/// <summary>One named weight tensor: its shape and its values in row-major order.</summary>
public sealed record WeightTensor(int[] Shape, float[] Data)
{
    public int Rows => Shape[0];

    public int Columns => Shape.Length > 1 ? Shape[1] : 1;

    /// <summary>The transpose of a 2-D tensor ([out, in] linear weights become MatMul's [in, out]).</summary>
    public WeightTensor Transpose()
    {
        if (Shape.Length != 2)
        {
            throw new InvalidOperationException("Only 2-D tensors can be transposed.");
        }

        var (r, c) = (Shape[0], Shape[1]);
        var t = new float[Data.Length];
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < c; j++)
            {
                t[j * r + i] = Data[i * c + j];
            }
        }

        return new WeightTensor([c, r], t);
    }
}

/// <summary>
/// The shared weights of a DReX model by name, using PyTorch's layouts (Linear: [out, in]; GRUCell: weight_ih
/// [3h, in] with gates ordered r, z, n). The trainer fills it; the ONNX graphs are built from it.
/// </summary>
public sealed class ModelWeights
{
    public const string AttentionWeight = "attention.weight";
    public const string AttentionBias = "attention.bias";
    public const string AttentionVector = "attention_vector";
    public const string TextWeight = "text.weight";
    public const string TextBias = "text.bias";
    public const string RatingEmbedding = "rating.weight";
    public const string FusionWeight = "fusion.weight";
    public const string FusionBias = "fusion.bias";
    public const string MlpHiddenWeight = "mlp_hidden.weight";
    public const string MlpHiddenBias = "mlp_hidden.bias";
    public const string MlpOutWeight = "mlp_out.weight";
    public const string MlpOutBias = "mlp_out.bias";
    /// <summary>[scale, shift] applied to the head's interaction term (p.q or the MLP output).</summary>
    public const string HeadCalibration = "head_calibration";
    /// <summary>Dot head with <see cref="ModelSettings.ActorReadouts"/>: linear readouts of the user and item states.</summary>
    public const string DotWeight = "dot_weight";
    public const string UserReadoutWeight = "user_readout.weight";
    public const string UserReadoutBias = "user_readout.bias";
    public const string ItemReadoutWeight = "item_readout.weight";
    public const string ItemReadoutBias = "item_readout.bias";
    /// <summary>With <see cref="ModelSettings.SentimentAttention"/>: the sentiment attention and its text projection t_s.</summary>
    public const string SentimentAttentionWeight = "sentiment_attention.weight";
    public const string SentimentAttentionBias = "sentiment_attention.bias";
    public const string SentimentAttentionVector = "sentiment_vector";
    public const string SentimentTextWeight = "sentiment_text.weight";
    public const string SentimentTextBias = "sentiment_text.bias";
    public const string UserInitial = "user_initial";
    public const string ItemInitial = "item_initial";

    private readonly Dictionary<string, WeightTensor> _tensors = new(StringComparer.Ordinal);

    public static string Cell(string side, string part) => $"{side}_cell.{part}";

    public WeightTensor this[string name]
    {
        get => _tensors.TryGetValue(name, out var t)
            ? t
            : throw new InvalidDataException($"The model weights have no tensor '{name}'.");
        set => _tensors[name] = value;
    }

    public IReadOnlyDictionary<string, WeightTensor> Tensors => _tensors;

    /// <summary>
    /// Every weight of a model of the given shape, drawn uniformly from +-1/sqrt(fan-in) with a seed, and an identity
    /// head calibration: valid untrained weights for tests and serving benchmarks, whose cost does not depend on training.
    /// </summary>
    public static ModelWeights Random(ModelSettings s, int seed)
    {
        var random = new System.Random(seed);
        WeightTensor T(params int[] shape)
        {
            var scale = 1.0 / Math.Sqrt(shape[^1]);
            var data = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (float)((random.NextDouble() * 2 - 1) * scale);
            }

            return new WeightTensor(shape, data);
        }

        var w = new ModelWeights
        {
            [AttentionWeight] = T(s.AttentionDim, s.TextDim),
            [AttentionBias] = T(s.AttentionDim),
            [AttentionVector] = T(s.AttentionDim),
            [TextWeight] = T(s.TextFeatureDim, s.TextDim),
            [TextBias] = T(s.TextFeatureDim),
            [RatingEmbedding] = T(s.RatingLevels, s.RatingDim),
            [FusionWeight] = T(s.FusionDim, s.FusionInputDim),
            [FusionBias] = T(s.FusionDim),
            [MlpHiddenWeight] = T(s.MlpHiddenDim, 3 * s.HiddenDim),
            [MlpHiddenBias] = T(s.MlpHiddenDim),
            [MlpOutWeight] = T(1, s.MlpHiddenDim),
            [MlpOutBias] = T(1),
            [HeadCalibration] = new WeightTensor([2], [1f, 0f]),
        };
        if (s.ActorReadouts)
        {
            w[DotWeight] = T(s.HiddenDim);
            w[UserReadoutWeight] = T(1, s.HiddenDim);
            w[UserReadoutBias] = T(1);
            w[ItemReadoutWeight] = T(1, s.HiddenDim);
            w[ItemReadoutBias] = T(1);
        }

        if (s.SentimentAttention)
        {
            w[SentimentAttentionWeight] = T(s.AttentionDim, s.TextDim);
            w[SentimentAttentionBias] = T(s.AttentionDim);
            w[SentimentAttentionVector] = T(s.AttentionDim);
            w[SentimentTextWeight] = T(s.TextFeatureDim, s.TextDim);
            w[SentimentTextBias] = T(s.TextFeatureDim);
        }

        foreach (var side in new[] { "user", "item" })
        {
            w[Cell(side, "weight_ih")] = T(3 * s.HiddenDim, s.FusionDim);
            w[Cell(side, "weight_hh")] = T(3 * s.HiddenDim, s.HiddenDim);
            w[Cell(side, "bias_ih")] = T(3 * s.HiddenDim);
            w[Cell(side, "bias_hh")] = T(3 * s.HiddenDim);
        }

        return w;
    }
}
