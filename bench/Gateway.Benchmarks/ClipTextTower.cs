using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// Writes a <c>text_model.onnx</c> with the shape and compute of CLIP ViT-B/32's text tower and random weights: token
/// embedding 49408×512, learned positions (77), 12 pre-LayerNorm transformer layers of width 512 with 8 heads, a causal
/// mask and a QuickGELU MLP of 2048, a final LayerNorm, pooling at the end-of-text token (the largest id, as in CLIP) and a
/// 512×512 projection. Its interface is the split Xenova export's (<c>input_ids</c> int64 [batch, sequence] →
/// <c>text_embeds</c> [batch, 512]), so the embedder loads it through its real code path. The gateway embeds every query
/// with CLIP text, so this (not the ViT-B/32-shaped vision tower of tests/TestModels, which search by text never runs) is
/// what gives the CLIP path a realistic cost. The vectors it produces are meaningless; only their cost is real.
/// </summary>
public static class ClipTextTower
{
    public const int Width = 512;
    public const int Layers = 12;
    public const int Heads = 8;
    public const int ContextLength = 77;
    public const int VocabularySize = 49408;
    public const int OutputDimension = 512;

    public static string Description =>
        $"{Layers} layers, width {Width}, {Heads} heads, causal mask, vocabulary {VocabularySize:N0}, projection to {OutputDimension}, random weights";

    public static void Write(string path, int seed = 7)
    {
        var g = new Graph();
        var random = new Random(seed);
        string Random(string name, params long[] dims)
        {
            var raw = new byte[checked(dims.Aggregate(1L, (a, b) => a * b) * sizeof(float))];
            var values = MemoryMarshal.Cast<byte, float>(raw.AsSpan());
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = 0.02f * Gaussian(random);
            }
            return g.Weight(name, raw, dims);
        }
        string Constant(string name, float value, long size)
        {
            var raw = new byte[size * sizeof(float)];
            MemoryMarshal.Cast<byte, float>(raw.AsSpan()).Fill(value);
            return g.Weight(name, raw, size);
        }
        string LayerNorm(string x, string name) =>
            g.Node("LayerNormalization", [x, Constant(name + ".weight", 1f, Width), Constant(name + ".bias", 0f, Width)],
                Graph.Int("axis", -1), Graph.Float("epsilon", 1e-5f));
        string Linear(string x, string name, long inputs, long outputs) =>
            g.Node("Add", [g.Node("MatMul", [x, Random(name + ".weight", inputs, outputs)]), Random(name + ".bias", outputs)]);
        string Reshape(string x, params long[] shape) => g.Node("Reshape", [x, g.Int64s(shape)]);
        string Transpose(string x, params long[] perm) => g.Node("Transpose", [x], Graph.Ints("perm", perm));

        var ids = g.Input("input_ids", DataType.Int64, "batch_size", "sequence_length");
        var length = g.Node("Gather", [g.Node("Shape", [ids]), g.Int64s(1)], Graph.Int("axis", 0)); // [1]

        // Token embeddings plus the first `length` learned positions.
        var x = g.Node("Gather", [Random("token_embedding", VocabularySize, Width), ids], Graph.Int("axis", 0));
        var positions = g.Node("Slice", [Random("position_embedding", ContextLength, Width), g.Int64s(0), length, g.Int64s(0)]);
        x = g.Node("Add", [x, positions]);

        // Causal mask: 0 on and below the diagonal, -1e9 above, cut to [length, length].
        var maskRaw = new byte[ContextLength * ContextLength * sizeof(float)];
        var mask = MemoryMarshal.Cast<byte, float>(maskRaw.AsSpan());
        for (var row = 0; row < ContextLength; row++)
        {
            mask.Slice(row * ContextLength + row + 1, ContextLength - row - 1).Fill(-1e9f);
        }
        var causal = g.Node("Slice", [g.Weight("causal_mask", maskRaw, ContextLength, ContextLength), g.Int64s(0, 0),
            g.Node("Concat", [length, length], Graph.Int("axis", 0)), g.Int64s(0, 1)]);

        var headDim = Width / Heads;
        var scale = g.Scalar("attention_scale", (float)(1.0 / Math.Sqrt(headDim)));
        var geluFactor = g.Scalar("quick_gelu", 1.702f);
        for (var i = 0; i < Layers; i++)
        {
            var prefix = $"encoder.layers.{i}";
            var h = LayerNorm(x, prefix + ".layer_norm1");
            string Split(string t, params long[] perm) => Transpose(Reshape(t, 0, 0, Heads, headDim), perm);
            var q = Split(g.Node("Mul", [Linear(h, prefix + ".q_proj", Width, Width), scale]), 0, 2, 1, 3);
            var kT = Split(Linear(h, prefix + ".k_proj", Width, Width), 0, 2, 3, 1);
            var v = Split(Linear(h, prefix + ".v_proj", Width, Width), 0, 2, 1, 3);
            var scores = g.Node("Add", [g.Node("MatMul", [q, kT]), causal]);
            var attention = g.Node("MatMul", [g.Node("Softmax", [scores], Graph.Int("axis", -1)), v]);
            var merged = Reshape(Transpose(attention, 0, 2, 1, 3), 0, 0, Width);
            x = g.Node("Add", [x, Linear(merged, prefix + ".out_proj", Width, Width)]);

            h = LayerNorm(x, prefix + ".layer_norm2");
            var up = Linear(h, prefix + ".fc1", Width, 4L * Width);
            var activated = g.Node("Mul", [up, g.Node("Sigmoid", [g.Node("Mul", [up, geluFactor])])]);
            x = g.Node("Add", [x, Linear(activated, prefix + ".fc2", 4L * Width, Width)]);
        }
        x = LayerNorm(x, "final_layer_norm");

        // Pool at the end-of-text token: the first position holding the largest id (49407), as CLIP's argmax does.
        var end = g.Node("ArgMax", [g.Node("Cast", [ids], Graph.Int("to", (long)DataType.Float))], Graph.Int("axis", 1), Graph.Int("keepdims", 1));
        var pooled = g.Node("GatherND", [x, end], Graph.Int("batch_dims", 1));
        g.Node("MatMul", [pooled, Random("text_projection", Width, OutputDimension)], "text_embeds");
        g.Output("text_embeds", DataType.Float, "batch_size", OutputDimension);
        g.Save(path);
    }

    private static float Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>A minimal opset-17 graph writer over OnnxSharp's protobuf types (weights wrapped, not copied).</summary>
    private sealed class Graph
    {
        private readonly GraphProto _graph = new() { Name = "clip_text_model" };
        private int _counter;

        public string Input(string name, DataType type, params object[] dims)
        {
            _graph.Input.Add(ValueInfo(name, type, dims));
            return name;
        }

        public void Output(string name, DataType type, params object[] dims) => _graph.Output.Add(ValueInfo(name, type, dims));

        public string Weight(string name, byte[] raw, params long[] dims) => Initializer(name, DataType.Float, UnsafeByteOperations.UnsafeWrap(raw), dims);

        public string Int64s(params long[] values) =>
            Initializer(Next("i64"), DataType.Int64, ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())), values.Length);

        public string Scalar(string name, float value) =>
            Initializer(name, DataType.Float, ByteString.CopyFrom(MemoryMarshal.AsBytes(new[] { value }.AsSpan())));

        public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, null, attributes);

        public string Node(string op, string[] inputs, string? output, params AttributeProto[] attributes)
        {
            output ??= Next(op);
            var node = new NodeProto { OpType = op, Name = Next(op + "_node") };
            node.Input.Add(inputs);
            node.Output.Add(output);
            node.Attribute.Add(attributes);
            _graph.Node.Add(node);
            return output;
        }

        public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        public static AttributeProto Ints(string name, params long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.Add(values);
            return attribute;
        }

        public void Save(string path)
        {
            var model = new ModelProto { IrVersion = 8, ProducerName = "AspireMmRag.Gateway.Benchmarks", ProducerVersion = "1", Graph = _graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            model.WriteTo(stream);
        }

        private string Initializer(string name, DataType type, ByteString raw, params long[] dims)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = raw };
            tensor.Dims.Add(dims);
            _graph.Initializer.Add(tensor);
            return name;
        }

        private static ValueInfoProto ValueInfo(string name, DataType type, object[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (var dim in dims)
            {
                shape.Dim.Add(dim is string param
                    ? new TensorShapeProto.Types.Dimension { DimParam = param }
                    : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
            }
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
            };
        }

        private string Next(string prefix) => $"{prefix}_{_counter++}";
    }
}
