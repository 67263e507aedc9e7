using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Onnx;

namespace Drex.Model.Runtime;

/// <summary>
/// One of a bundle's small ONNX graphs (a GRU cell, a rating head) compiled to run one row at a time in managed code:
/// every value is a row of a width the graph fixes, the weights are the graph's own initializers, and a run is a list
/// of vectorized span operations over a scratch block on the stack. It computes what ONNX Runtime computes for the
/// same graph (tests compare the two on every graph the bundle builder writes).
/// </summary>
/// <remarks>
/// Why not ONNX Runtime: a 64-wide GRU step is ~25,000 multiply-adds. As a row graph it takes 1.7-2.0 µs, and an ONNX
/// Runtime call on one row 8.4-8.7 µs, nearly all of it dispatch, native interop and tensors (`load steps`, one
/// process; 0.22 against 4.5 µs for a prediction). Serving makes three such calls per interaction (two steps and a
/// prediction), so they were batched across callers (a micro-batcher with a lock and thread-pool hops) and still took
/// ~18% of the silo's running time at 3,000 interactions/s. The interaction encoder,
/// which attends over a review's tokens in batches, stays on ONNX Runtime.
/// <para>
/// Only what the bundle's row graphs use compiles: inputs of shape [batch, width]; MatMul of a row by a 2-D
/// initializer; Add, Sub and Mul of rows of one width or of a row and a scalar; Sigmoid, Tanh, Relu; Slice and Concat
/// along the row; ReduceSum of the row (keepdims); Identity. Anything else is refused when the model loads.
/// </para>
/// </remarks>
public sealed class RowGraph
{
    /// <summary>Scratch blocks up to this many floats live on the stack; larger ones are rented.</summary>
    private const int StackFloats = 4096;

    private readonly Operation[] _operations;
    private readonly Operand[] _inputs;
    private readonly Operand _output;
    private readonly int _scratch;

    private RowGraph(string file, Operation[] operations, Operand[] inputs, Operand output, int scratch) =>
        (File, _operations, _inputs, _output, _scratch) = (file, operations, inputs, output, scratch);

    /// <summary>The graph's file name in the bundle (for messages).</summary>
    public string File { get; }

    /// <summary>The width of each input, in the order given to <see cref="Compile"/>.</summary>
    public IReadOnlyList<int> InputWidths => [.. _inputs.Select(i => i.Length)];

    /// <summary>The width of the output row.</summary>
    public int OutputWidth => _output.Length;

    /// <summary>
    /// Compiles a graph whose inputs are named <paramref name="inputs"/> (the order the run methods take them in) and
    /// whose one output is <paramref name="output"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not such a graph, or it uses what rows cannot run.</exception>
    public static RowGraph Compile(byte[] model, string file, string[] inputs, string output)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{file} is not a valid ONNX graph: {e.Message}", e);
        }

        return new Compiler(file).Compile(proto.Graph ?? throw new InvalidDataException($"{file} holds no graph."), inputs, output);
    }

    /// <summary>Runs a graph of two inputs (a GRU cell: input, state; the MLP head: user, item).</summary>
    public void Run(ReadOnlySpan<float> first, ReadOnlySpan<float> second, Span<float> output) =>
        Run(2, first, second, default, default, output);

    /// <summary>Runs a graph of four inputs (the dot head: user, item, user bias, item bias).</summary>
    public void Run(ReadOnlySpan<float> first, ReadOnlySpan<float> second, ReadOnlySpan<float> third, ReadOnlySpan<float> fourth, Span<float> output) =>
        Run(4, first, second, third, fourth, output);

    private void Run(int inputs, ReadOnlySpan<float> first, ReadOnlySpan<float> second, ReadOnlySpan<float> third, ReadOnlySpan<float> fourth, Span<float> output)
    {
        if (_inputs.Length != inputs)
        {
            throw new InvalidOperationException($"{File} takes {_inputs.Length} inputs, not {inputs}.");
        }

        if (output.Length != _output.Length)
        {
            throw new ArgumentException($"{File} writes a row of {_output.Length}, not {output.Length}.", nameof(output));
        }

        float[]? rented = null;
        Span<float> scratch = _scratch <= StackFloats
            ? stackalloc float[_scratch]
            : (rented = ArrayPool<float>.Shared.Rent(_scratch)).AsSpan(0, _scratch);
        Bind(scratch, 0, first);
        Bind(scratch, 1, second);
        if (inputs == 4)
        {
            Bind(scratch, 2, third);
            Bind(scratch, 3, fourth);
        }

        Evaluate(scratch, output);
        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private void Bind(Span<float> scratch, int index, ReadOnlySpan<float> row)
    {
        var input = _inputs[index];
        if (row.Length != input.Length)
        {
            throw new ArgumentException($"{File} input {index} is a row of {input.Length}, not {row.Length}.");
        }

        row.CopyTo(scratch.Slice(input.Offset, input.Length));
    }

    private void Evaluate(Span<float> scratch, Span<float> output)
    {
        foreach (var op in _operations)
        {
            var destination = scratch.Slice(op.Output.Offset, op.Output.Length);
            var a = op.A.Span(scratch);
            switch (op.Kind)
            {
                case Kind.MatMul:
                    MatMul(a, op.B.Constant!, destination);
                    break;
                case Kind.Add or Kind.Sub or Kind.Mul:
                    Binary(op.Kind, a, op.B.Span(scratch), destination);
                    break;
                case Kind.Sigmoid:
                    TensorPrimitives.Sigmoid(a, destination);
                    break;
                case Kind.Tanh:
                    TensorPrimitives.Tanh(a, destination);
                    break;
                case Kind.Relu:
                    TensorPrimitives.Max(a, 0f, destination);
                    break;
                case Kind.Copy:
                    // Each part of a Concat (Identity and Slice need no operation: their rows are operands).
                    a.CopyTo(destination);
                    break;
                case Kind.Sum:
                    destination[0] = TensorPrimitives.Sum(a);
                    break;
            }
        }

        _output.Span(scratch).CopyTo(output);
    }

    /// <summary>
    /// A row times a [K, N] matrix (row-major): the sum of the matrix's rows weighted by the row's values, 32 columns
    /// at a time in four vector accumulators that stay in registers over all K rows.
    /// </summary>
    private static void MatMul(ReadOnlySpan<float> row, float[] matrix, Span<float> destination)
    {
        var n = destination.Length;
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var m = ref MemoryMarshal.GetArrayDataReference(matrix);
            for (; j + 32 <= n; j += 32)
            {
                var (a0, a1, a2, a3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
                for (var k = 0; k < row.Length; k++)
                {
                    var x = Vector256.Create(row[k]);
                    var at = (nuint)(k * n + j);
                    a0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref m, at), a0);
                    a1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref m, at + 8), a1);
                    a2 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref m, at + 16), a2);
                    a3 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref m, at + 24), a3);
                }

                a0.CopyTo(destination[j..]);
                a1.CopyTo(destination[(j + 8)..]);
                a2.CopyTo(destination[(j + 16)..]);
                a3.CopyTo(destination[(j + 24)..]);
            }
        }

        // The columns left (all of them without 256-bit vectors).
        if (j < n)
        {
            var rest = destination[j..];
            rest.Clear();
            for (var k = 0; k < row.Length; k++)
            {
                TensorPrimitives.MultiplyAdd(matrix.AsSpan((k * n) + j, n - j), row[k], rest, rest);
            }
        }
    }

    /// <summary>Rows of one width element by element, or a row and a scalar (on either side).</summary>
    private static void Binary(Kind kind, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        if (a.Length == b.Length)
        {
            switch (kind)
            {
                case Kind.Add: TensorPrimitives.Add(a, b, destination); break;
                case Kind.Sub: TensorPrimitives.Subtract(a, b, destination); break;
                default: TensorPrimitives.Multiply(a, b, destination); break;
            }
        }
        else if (b.Length == 1)
        {
            switch (kind)
            {
                case Kind.Add: TensorPrimitives.Add(a, b[0], destination); break;
                case Kind.Sub: TensorPrimitives.Subtract(a, b[0], destination); break;
                default: TensorPrimitives.Multiply(a, b[0], destination); break;
            }
        }
        else
        {
            switch (kind)
            {
                case Kind.Add: TensorPrimitives.Add(b, a[0], destination); break;
                case Kind.Sub: TensorPrimitives.Subtract(a[0], b, destination); break;
                default: TensorPrimitives.Multiply(b, a[0], destination); break;
            }
        }
    }

    private enum Kind
    {
        MatMul,
        Add,
        Sub,
        Mul,
        Sigmoid,
        Tanh,
        Relu,
        Copy,
        Sum,
    }

    /// <summary>A row: a constant (an initializer, or a slice of one) or a part of the scratch block.</summary>
    private readonly record struct Operand(float[]? Constant, int Offset, int Length)
    {
        public ReadOnlySpan<float> Span(Span<float> scratch) =>
            Constant is null ? scratch.Slice(Offset, Length) : Constant.AsSpan(Offset, Length);
    }

    private readonly record struct Operation(Kind Kind, Operand A, Operand B, Operand Output);

    private sealed class Compiler(string file)
    {
        private readonly Dictionary<string, Operand> _rows = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (float[] Data, long[] Dims)> _matrices = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long[]> _integers = new(StringComparer.Ordinal);
        private readonly List<Operation> _operations = [];
        private int _scratch;

        public RowGraph Compile(GraphProto graph, string[] inputs, string output)
        {
            foreach (var tensor in graph.Initializer)
            {
                Initializer(tensor);
            }

            var bound = new Operand[inputs.Length];
            for (var k = 0; k < inputs.Length; k++)
            {
                var info = graph.Input.FirstOrDefault(i => i.Name == inputs[k]) ?? throw Refused($"has no input '{inputs[k]}'");
                var tensor = info.Type?.TensorType;
                if (tensor?.Shape?.Dim is not { Count: 2 } dims || dims[1].DimValue <= 0 || tensor.ElemType != (int)TensorProto.Types.DataType.Float)
                {
                    throw Refused($"input '{inputs[k]}' is not a float row of a fixed width");
                }

                _rows[inputs[k]] = bound[k] = Allocate((int)dims[1].DimValue);
            }

            foreach (var node in graph.Node)
            {
                Node(node);
            }

            return new RowGraph(file, [.. _operations], bound, Row(output), _scratch);
        }

        private void Initializer(TensorProto tensor)
        {
            var dims = tensor.Dims.ToArray();
            switch ((TensorProto.Types.DataType)tensor.DataType)
            {
                case TensorProto.Types.DataType.Float:
                    var data = tensor.FloatData.Count > 0 ? tensor.FloatData.ToArray() : FromRaw(tensor);
                    if (data.Length != dims.Aggregate(1L, (p, d) => p * d))
                    {
                        throw Refused($"initializer '{tensor.Name}' holds {data.Length} values for shape [{string.Join(",", dims)}]");
                    }

                    if (dims.Length == 2)
                    {
                        _matrices[tensor.Name] = (data, dims);
                    }
                    else
                    {
                        _rows[tensor.Name] = new Operand(data, 0, data.Length);
                    }

                    break;
                case TensorProto.Types.DataType.Int64:
                    _integers[tensor.Name] = tensor.Int64Data.Count > 0
                        ? tensor.Int64Data.ToArray()
                        : [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray()];
                    break;
                default:
                    throw Refused($"initializer '{tensor.Name}' is of type {tensor.DataType}");
            }
        }

        private static float[] FromRaw(TensorProto tensor) =>
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();

        private void Node(NodeProto node)
        {
            if (node.Output.Count != 1)
            {
                throw Refused($"node '{node.Name}' ({node.OpType}) has {node.Output.Count} outputs");
            }

            var name = node.Output[0];
            switch (node.OpType)
            {
                case "MatMul":
                {
                    var row = Row(Input(node, 0));
                    var (data, dims) = _matrices.TryGetValue(Input(node, 1), out var m)
                        ? m
                        : throw Refused($"node '{node.Name}' multiplies by '{node.Input[1]}', which is not a 2-D initializer");
                    if (dims[0] != row.Length)
                    {
                        throw Refused($"node '{node.Name}' multiplies a row of {row.Length} by a [{dims[0]},{dims[1]}] matrix");
                    }

                    Emit(Kind.MatMul, name, row, new Operand(data, 0, data.Length), (int)dims[1]);
                    break;
                }

                case "Add" or "Sub" or "Mul":
                {
                    var (a, b) = (Row(Input(node, 0)), Row(Input(node, 1)));
                    if (a.Length != b.Length && a.Length != 1 && b.Length != 1)
                    {
                        throw Refused($"node '{node.Name}' ({node.OpType}) combines rows of {a.Length} and {b.Length}");
                    }

                    Emit(Enum.Parse<Kind>(node.OpType), name, a, b, Math.Max(a.Length, b.Length));
                    break;
                }

                case "Sigmoid" or "Tanh" or "Relu":
                {
                    var a = Row(Input(node, 0));
                    Emit(Enum.Parse<Kind>(node.OpType), name, a, default, a.Length);
                    break;
                }

                case "Identity":
                    _rows[name] = Row(Input(node, 0));
                    break;
                case "Slice":
                    _rows[name] = Slice(node);
                    break;
                case "Concat":
                {
                    RowAxis(node, Attribute(node, "axis"));
                    var parts = node.Input.Select(Row).ToArray();
                    var whole = Allocate(parts.Sum(p => p.Length));
                    var at = whole.Offset;
                    foreach (var part in parts)
                    {
                        _operations.Add(new Operation(Kind.Copy, part, default, new Operand(null, at, part.Length)));
                        at += part.Length;
                    }

                    _rows[name] = whole;
                    break;
                }

                case "ReduceSum":
                {
                    var axes = node.Input.Count > 1 ? Integers(node, 1) : throw Refused($"node '{node.Name}' (ReduceSum) names no axes");
                    if (axes.Length != 1 || Attribute(node, "keepdims", absent: 1) != 1)
                    {
                        throw Refused($"node '{node.Name}' (ReduceSum) does not sum one row keeping its dimension");
                    }

                    RowAxis(node, axes[0]);
                    Emit(Kind.Sum, name, Row(Input(node, 0)), default, 1);
                    break;
                }

                default:
                    throw Refused($"node '{node.Name}' is a {node.OpType}, which a row graph does not run");
            }
        }

        /// <summary>A slice of a row is the same row seen narrower: no operation, only an operand.</summary>
        private Operand Slice(NodeProto node)
        {
            var row = Row(Input(node, 0));
            var (starts, ends) = (Integers(node, 1), Integers(node, 2));
            var axes = node.Input.Count > 3 ? Integers(node, 3) : [1];
            var steps = node.Input.Count > 4 ? Integers(node, 4) : [1];
            if (starts.Length != 1 || ends.Length != 1 || axes.Length != 1 || steps is not [1])
            {
                throw Refused($"node '{node.Name}' (Slice) does not take one contiguous range of a row");
            }

            RowAxis(node, axes[0]);
            long Clamp(long at) => Math.Clamp(at < 0 ? at + row.Length : at, 0, row.Length);
            var (start, end) = (Clamp(starts[0]), Clamp(ends[0]));
            return new Operand(row.Constant, row.Offset + (int)start, (int)Math.Max(0, end - start));
        }

        private void RowAxis(NodeProto node, long axis)
        {
            if (axis is not (1 or -1))
            {
                throw Refused($"node '{node.Name}' ({node.OpType}) works along axis {axis}, not along the row");
            }
        }

        private void Emit(Kind kind, string name, Operand a, Operand b, int width) =>
            _operations.Add(new Operation(kind, a, b, _rows[name] = Allocate(width)));

        private Operand Allocate(int width)
        {
            var operand = new Operand(null, _scratch, width);
            _scratch += width;
            return operand;
        }

        private Operand Row(string name) =>
            _rows.TryGetValue(name, out var row) ? row : throw Refused($"'{name}' is not a row computed before it is used");

        private long[] Integers(NodeProto node, int index) =>
            _integers.TryGetValue(Input(node, index), out var values)
                ? values
                : throw Refused($"node '{node.Name}' ({node.OpType}) takes input {index} from '{node.Input[index]}', which is not an integer initializer");

        private string Input(NodeProto node, int index) =>
            index < node.Input.Count ? node.Input[index] : throw Refused($"node '{node.Name}' ({node.OpType}) has no input {index}");

        private long Attribute(NodeProto node, string name, long? absent = null) =>
            node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? absent ?? throw Refused($"node '{node.Name}' ({node.OpType}) has no '{name}'");

        private InvalidDataException Refused(string what) => new($"{file} {what}: serving runs it as a row graph and cannot.");
    }
}
