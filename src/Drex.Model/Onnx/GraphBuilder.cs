using Google.Protobuf;
using Onnx;

namespace Drex.Model.Onnx;

/// <summary>A small helper for writing ONNX graphs node by node (opset 17), with float initializers.</summary>
internal sealed class GraphBuilder(string name)
{
    public const int Opset = 17;

    private readonly GraphProto _graph = new() { Name = name };
    private int _next;

    public string Input(string inputName, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(inputName, type, dims));
        return inputName;
    }

    public void Output(string value, string outputName, params object[] dims)
    {
        Node("Identity", [value], outputName);
        _graph.Output.Add(ValueInfo(outputName, TensorProto.Types.DataType.Float, dims));
    }

    public string Constant(float[] data, params long[] shape)
    {
        var tensor = new TensorProto { Name = Fresh("c"), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape);
        tensor.FloatData.AddRange(data);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Scalar(float value) => Constant([value]);

    public string Int64s(params long[] values)
    {
        var tensor = new TensorProto { Name = Fresh("i"), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Node(string op, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op) };
        node.Input.AddRange(inputs);
        node.Output.Add(output ??= Fresh(op.ToLowerInvariant()));
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public string MatMul(string a, string b) => Node("MatMul", [a, b]);

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Sub(string a, string b) => Node("Sub", [a, b]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Relu(string a) => Node("Relu", [a]);

    public string Tanh(string a) => Node("Tanh", [a]);

    public string Sigmoid(string a) => Node("Sigmoid", [a]);

    /// <summary>x W^T + b for a PyTorch Linear's weight [out, in] and bias [out].</summary>
    public string Linear(string x, Bundle.WeightTensor weight, Bundle.WeightTensor bias)
    {
        var wt = weight.Transpose();
        return Add(MatMul(x, Constant(wt.Data, wt.Shape[0], wt.Shape[1])), Constant(bias.Data, bias.Data.Length));
    }

    public string SliceColumns(string x, int start, int end) =>
        Node("Slice", [x, Int64s(start), Int64s(end), Int64s(1)]);

    public static AttributeProto IntAttribute(string attributeName, long value) =>
        new() { Name = attributeName, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public byte[] ToModelBytes()
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "drex",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private string Fresh(string prefix) => $"{prefix}_{_next++}";

    private static ValueInfoProto ValueInfo(string valueName, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                _ => throw new ArgumentException($"Unsupported dimension {d}"),
            });
        }

        return new ValueInfoProto
        {
            Name = valueName,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
