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
}
