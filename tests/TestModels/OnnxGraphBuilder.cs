using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace AspireMmRag.TestModels;

/// <summary>A tensor dimension: either a fixed size or a symbolic (dynamic) name.</summary>
internal readonly record struct Dim(long? Value, string? Param)
{
    public static implicit operator Dim(int value) => new(value, null);

    public static implicit operator Dim(string param) => new(null, param);
}

/// <summary>
/// Small helpers over OnnxSharp's protobuf types to write an opset-17 / IR-8 graph by hand.
/// Node helpers return the name of the (single) output they create, so graphs read as expressions.
/// Initializers are wrapped without copying, so large weights are only held once in memory.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public const long IrVersion = 8;
    public const long OpsetVersion = 17;

    private readonly GraphProto _graph;
    private int _counter;

    public OnnxGraphBuilder(string graphName) => _graph = new GraphProto { Name = graphName };

    // ---- Graph interface --------------------------------------------------------------------

    public string Input(string name, TensorProto.Types.DataType type, params Dim[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    public void Output(string name, TensorProto.Types.DataType type, params Dim[] dims) =>
        _graph.Output.Add(ValueInfo(name, type, dims));

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, Dim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim.Param is not null
                ? new TensorShapeProto.Types.Dimension { DimParam = dim.Param }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Value!.Value });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    // ---- Initializers -----------------------------------------------------------------------

    /// <summary>Allocates a float weight buffer whose bytes become the initializer's raw data (no copy).</summary>
    public static byte[] AllocateFloats(long count) => new byte[checked(count * sizeof(float))];

    public static Span<float> AsFloats(byte[] raw) => MemoryMarshal.Cast<byte, float>(raw.AsSpan());

    /// <summary>Adds a float initializer over a buffer from <see cref="AllocateFloats"/>.</summary>
    public string Weight(string name, byte[] raw, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Float, UnsafeByteOperations.UnsafeWrap(raw), dims);

    public string Weight(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Float, ByteString.CopyFrom(MemoryMarshal.AsBytes(values)), dims);

    /// <summary>A 1-D int64 constant, e.g. shapes, axes, permutations given as inputs.</summary>
    public string Int64s(params long[] values) =>
        AddInitializer(NextName("const_i64"), TensorProto.Types.DataType.Int64,
            ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())), values.Length);

    /// <summary>An int64 scalar (rank 0) constant, e.g. a Gather index that drops the axis.</summary>
    public string Int64Scalar(long value) =>
        AddInitializer(NextName("const_i64"), TensorProto.Types.DataType.Int64,
            ByteString.CopyFrom(MemoryMarshal.AsBytes(new[] { value }.AsSpan())));

    /// <summary>A float scalar (rank 0) constant.</summary>
    public string Scalar(string name, float value) =>
        AddInitializer(name, TensorProto.Types.DataType.Float,
            ByteString.CopyFrom(MemoryMarshal.AsBytes(new[] { value }.AsSpan())));

    public string Scalar(float value) => Scalar(NextName("const_f32"), value);

    private string AddInitializer(string name, TensorProto.Types.DataType type, ByteString raw, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = raw };
        tensor.Dims.Add(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    // ---- Nodes ------------------------------------------------------------------------------

    /// <summary>Adds a node with one output; <paramref name="output"/> names it, otherwise a fresh name is used.</summary>
    public string Node(string opType, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        output ??= NextName(opType);
        var node = new NodeProto { OpType = opType, Name = NextName(opType + "_node") };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public string MatMul(string a, string b, string? output = null) => Node("MatMul", [a, b], output);

    public string Add(string a, string b, string? output = null) => Node("Add", [a, b], output);

    public string Mul(string a, string b, string? output = null) => Node("Mul", [a, b], output);

    public string Exp(string x, string? output = null) => Node("Exp", [x], output);

    public string Sigmoid(string x) => Node("Sigmoid", [x]);

    public string Shape(string x) => Node("Shape", [x]);

    public string Expand(string x, string shape) => Node("Expand", [x, shape]);

    public string Cast(string x, TensorProto.Types.DataType to) => Node("Cast", [x], null, Int("to", (long)to));

    public string Gather(string data, string indices, long axis = 0) =>
        Node("Gather", [data, indices], null, Int("axis", axis));

    /// <summary>Opset 13+: axes are an input.</summary>
    public string Unsqueeze(string x, params long[] axes) => Node("Unsqueeze", [x, Int64s(axes)]);

    /// <summary>Opset 13+: axes are an input.</summary>
    public string ReduceSum(string x, long[] axes, bool keepDims) =>
        Node("ReduceSum", [x, Int64s(axes)], null, Int("keepdims", keepDims ? 1 : 0));

    /// <summary>Opset 17 and below: axes are an attribute (an input only from opset 18).</summary>
    public string ReduceMean(string x, long[] axes, bool keepDims) =>
        Node("ReduceMean", [x], null, Ints("axes", axes), Int("keepdims", keepDims ? 1 : 0));

    /// <summary>Shape entries may use 0 (copy the input's dim) and -1 (infer).</summary>
    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Int64s(shape)]);

    public string Transpose(string x, long[] perm, string? output = null) =>
        Node("Transpose", [x], output, Ints("perm", perm));

    public string Concat(long axis, params string[] inputs) => Node("Concat", inputs, null, Int("axis", axis));

    public string Softmax(string x, long axis = -1) => Node("Softmax", [x], null, Int("axis", axis));

    public string LayerNormalization(string x, string scale, string bias, float epsilon = 1e-5f) =>
        Node("LayerNormalization", [x, scale, bias], null, Int("axis", -1), Float("epsilon", epsilon));

    public string LpNormalization(string x, string? output = null) =>
        Node("LpNormalization", [x], output, Int("axis", 1), Int("p", 2));

    public string Conv(string x, string weight, long kernel, long stride) =>
        Node("Conv", [x, weight], null,
            Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride), Ints("pads", 0, 0, 0, 0));

    // ---- Attributes -------------------------------------------------------------------------

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    // ---- Model ------------------------------------------------------------------------------

    public ModelProto ToModel()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "AspireMmRag.TestModels",
            ProducerVersion = "1",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return model;
    }

    /// <summary>Streams the model to <paramref name="path"/> (creating its directory) without building a byte array.</summary>
    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        ToModel().WriteTo(stream);
    }

    private string NextName(string prefix) => $"{prefix}_{_counter++}";
}

/// <summary>Deterministic pseudo-random weights (System.Random with a seed is stable across runs and platforms).</summary>
internal sealed class SeededGaussian(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>A standard normal sample (Box-Muller).</summary>
    public float Next()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    public void Fill(Span<float> values, float std)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = std * Next();
        }
    }
}
