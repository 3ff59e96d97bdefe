using System.Text.Json;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace AspireMmRag.TestModels;

/// <summary>
/// Writes small ONNX models with the exact graph interfaces of the Xenova CLIP ViT-B/32 exports, so the embedding
/// service can load them through its real code path in tests and benchmarks.
/// <para>
/// Semantics: colours. The text tower embeds the tokens <c>red</c>, <c>green</c>, <c>blue</c> and <c>yellow</c> onto
/// four orthonormal "colour directions" (every other token is a small seeded random vector, the special/pad ids
/// 0, 49406 and 49407 are zero) and sums them over the sequence. The vision tower averages each channel of
/// <c>pixel_values</c> and maps the (un-normalized) mean RGB through an affine map that sends pure red, green, blue and
/// yellow exactly onto their colour directions; mixtures of colours land on the matching mixtures of directions.
/// So "a red square" is nearest a solid red image, and a half red / half blue image sits in between.
/// </para>
/// </summary>
public static class ClipTestModels
{
    public const int DefaultDimension = 512;
    public const int VocabularySize = 49408;
    public const int ImageSize = 224;
    public const long StartOfText = 49406;
    public const long EndOfText = 49407;

    /// <summary>CLIP image normalization (openai/CLIP, HF CLIPImageProcessor).</summary>
    public static IReadOnlyList<float> PixelMean { get; } = [0.48145466f, 0.4578275f, 0.40821073f];
    public static IReadOnlyList<float> PixelStd { get; } = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>The colour words the models understand, in the order of their colour directions.</summary>
    public static IReadOnlyList<string> Colours { get; } = ["red", "green", "blue", "yellow"];

    // Pure RGB of each colour in Colours, and the affine RGB -> colour-coefficient map that sends each one exactly
    // onto its own axis: coefficients = rgb @ RgbToColour + ColourOffset. Being affine, it maps mixtures to mixtures.
    //                                                      red green blue yellow
    private static readonly float[,] RgbToColour = { { 0, -1, 0, 1 },   // r
                                                     { -1, 0, 0, 1 },   // g
                                                     { -1, -1, 1, 1 } }; // b
    private static readonly float[] ColourOffset = [1, 1, 0, -1];

    private const int DirectionSeed = 1234;
    private const int TokenSeed = 5678;
    private const int ProjectionSeed = 9012;
    private const float OtherTokenNorm = 0.1f; // typical length of a non-colour token's embedding
    private const float TextProjectionScale = 4f; // split outputs are deliberately not unit-norm
    private const float VisionProjectionScale = 7f;
    private const float LogitScale = 4.6052f; // exp(4.6052) = 100, as in CLIP

    /// <summary>Writes <c>text_model.onnx</c> and <c>vision_model.onnx</c> (un-normalized embeddings) into <paramref name="directory"/>.</summary>
    public static void WriteSplit(string directory, string vocabJsonPath, int dimension = DefaultDimension)
    {
        var weights = ColourWeights.Create(vocabJsonPath, dimension);
        Directory.CreateDirectory(directory);

        // text_model.onnx: input_ids int64 [batch_size, sequence_length] -> text_embeds [batch_size, D]. No attention_mask.
        var text = new OnnxGraphBuilder("clip_text_model");
        var inputIds = text.Input("input_ids", DataType.Int64, "batch_size", "sequence_length");
        var pooled = TextTower(text, weights, inputIds, attentionMask: null);
        text.MatMul(pooled, text.Weight("text_projection", weights.TextProjection, dimension, dimension), "text_embeds");
        text.Output("text_embeds", DataType.Float, "batch_size", dimension);
        text.Save(Path.Combine(directory, "text_model.onnx"));

        // vision_model.onnx: pixel_values float [batch_size, 3, 224, 224] -> image_embeds [batch_size, D].
        var vision = new OnnxGraphBuilder("clip_vision_model");
        var pixels = vision.Input("pixel_values", DataType.Float, "batch_size", 3, ImageSize, ImageSize);
        var hidden = VisionTower(vision, weights, pixels);
        vision.MatMul(hidden, vision.Weight("visual_projection", weights.VisualProjection, dimension, dimension), "image_embeds");
        vision.Output("image_embeds", DataType.Float, "batch_size", dimension);
        vision.Save(Path.Combine(directory, "vision_model.onnx"));
    }

    /// <summary>
    /// Writes the combined <c>model.onnx</c>: inputs <c>input_ids</c>, <c>pixel_values</c>, <c>attention_mask</c> (the
    /// optimum order); outputs <c>logits_per_image</c>, <c>logits_per_text</c> and L2-normalized <c>text_embeds</c>,
    /// <c>image_embeds</c>. Every run needs all three inputs, like the real export.
    /// </summary>
    public static void WriteCombined(string directory, string vocabJsonPath, int dimension = DefaultDimension)
    {
        var weights = ColourWeights.Create(vocabJsonPath, dimension);
        Directory.CreateDirectory(directory);

        var g = new OnnxGraphBuilder("clip_model");
        var inputIds = g.Input("input_ids", DataType.Int64, "text_batch_size", "sequence_length");
        var pixels = g.Input("pixel_values", DataType.Float, "image_batch_size", 3, ImageSize, ImageSize);
        var mask = g.Input("attention_mask", DataType.Int64, "text_batch_size", "sequence_length");

        var textPooled = TextTower(g, weights, inputIds, mask);
        var textProjected = g.MatMul(textPooled, g.Weight("text_projection", weights.TextProjection, dimension, dimension));
        var textEmbeds = g.LpNormalization(textProjected, "text_embeds");

        var imageHidden = VisionTower(g, weights, pixels);
        var imageProjected = g.MatMul(imageHidden, g.Weight("visual_projection", weights.VisualProjection, dimension, dimension));
        var imageEmbeds = g.LpNormalization(imageProjected, "image_embeds");

        // logits_per_text = exp(logit_scale) * text_embeds @ image_embeds^T; logits_per_image is its transpose.
        var scale = g.Exp(g.Scalar("logit_scale", LogitScale));
        var similarity = g.MatMul(textEmbeds, g.Transpose(imageEmbeds, [1, 0]));
        var logitsPerText = g.Mul(similarity, scale, "logits_per_text");
        g.Transpose(logitsPerText, [1, 0], "logits_per_image");

        g.Output("logits_per_image", DataType.Float, "image_batch_size", "text_batch_size");
        g.Output("logits_per_text", DataType.Float, "text_batch_size", "image_batch_size");
        g.Output("text_embeds", DataType.Float, "text_batch_size", dimension);
        g.Output("image_embeds", DataType.Float, "image_batch_size", dimension);
        g.Save(Path.Combine(directory, "model.onnx"));
    }

    /// <summary>
    /// Writes a ViT-B/32-shaped vision model with random weights (same interface as <c>vision_model.onnx</c>) to
    /// <paramref name="path"/>, for realistic compute in benchmarks. At the default size the file is about 350 MB;
    /// tests use e.g. <c>layers: 2, width: 64, heads: 4</c>.
    /// </summary>
    public static void WriteVitB32Shaped(string path, int layers = 12, int width = 768, int heads = 12, int outputDimension = 512, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputDimension, 1);
        if (width < 1 || width % heads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"width must be a positive multiple of heads ({heads}).");
        }

        const int patch = 32;
        const int tokens = (ImageSize / patch) * (ImageSize / patch) + 1; // 49 patches + class token
        var headDim = width / heads;
        var random = new SeededGaussian(seed);
        var g = new OnnxGraphBuilder("clip_vision_model");
        string Random(string name, params long[] dims)
        {
            var raw = OnnxGraphBuilder.AllocateFloats(dims.Aggregate(1L, (a, b) => a * b));
            random.Fill(OnnxGraphBuilder.AsFloats(raw), 0.02f);
            return g.Weight(name, raw, dims);
        }
        string Constant(string name, float value, long size)
        {
            var raw = OnnxGraphBuilder.AllocateFloats(size);
            OnnxGraphBuilder.AsFloats(raw).Fill(value);
            return g.Weight(name, raw, size);
        }
        string LayerNorm(string x, string name) =>
            g.LayerNormalization(x, Constant(name + ".weight", 1f, width), Constant(name + ".bias", 0f, width));
        string Linear(string x, string name, long inputs, long outputs) =>
            g.Add(g.MatMul(x, Random(name + ".weight", inputs, outputs)), Random(name + ".bias", outputs));

        var pixels = g.Input("pixel_values", DataType.Float, "batch_size", 3, ImageSize, ImageSize);

        // Patch embedding [b, width, 7, 7] -> [b, 49, width]; prepend the class token; add positions; pre-LayerNorm.
        var patches = g.Conv(pixels, Random("embeddings.patch_embedding.weight", width, 3, patch, patch), patch, patch);
        patches = g.Transpose(g.Reshape(patches, 0, width, -1), [0, 2, 1]);
        var batch = g.Gather(g.Shape(pixels), g.Int64s(0));
        var classToken = g.Expand(Random("embeddings.class_embedding", 1, 1, width), g.Concat(0, batch, g.Int64s(1, width)));
        var x = g.Add(g.Concat(1, classToken, patches), Random("embeddings.position_embedding", tokens, width));
        x = LayerNorm(x, "pre_layrnorm");

        var attentionScale = g.Scalar((float)(1.0 / Math.Sqrt(headDim)));
        var quickGeluFactor = g.Scalar(1.702f);
        for (var i = 0; i < layers; i++)
        {
            var prefix = $"encoder.layers.{i}";

            // Multi-head self-attention: [b, T, width] -> [b, heads, T, headDim].
            var h = LayerNorm(x, prefix + ".layer_norm1");
            string Heads(string t, long[] perm) => g.Transpose(g.Reshape(t, 0, 0, heads, headDim), perm);
            var q = Heads(g.Mul(Linear(h, prefix + ".self_attn.q_proj", width, width), attentionScale), [0, 2, 1, 3]);
            var kT = Heads(Linear(h, prefix + ".self_attn.k_proj", width, width), [0, 2, 3, 1]);
            var v = Heads(Linear(h, prefix + ".self_attn.v_proj", width, width), [0, 2, 1, 3]);
            var attention = g.MatMul(g.Softmax(g.MatMul(q, kT)), v);
            var merged = g.Reshape(g.Transpose(attention, [0, 2, 1, 3]), 0, 0, width);
            x = g.Add(x, Linear(merged, prefix + ".self_attn.out_proj", width, width));

            // MLP with QuickGELU: y * sigmoid(1.702 y).
            h = LayerNorm(x, prefix + ".layer_norm2");
            var up = Linear(h, prefix + ".mlp.fc1", width, 4L * width);
            var activated = g.Mul(up, g.Sigmoid(g.Mul(up, quickGeluFactor)));
            x = g.Add(x, Linear(activated, prefix + ".mlp.fc2", 4L * width, width));
        }

        // Pool the class token, post-LayerNorm, project.
        var pooled = LayerNorm(g.Gather(x, g.Int64Scalar(0), axis: 1), "post_layernorm");
        g.MatMul(pooled, Random("visual_projection", width, outputDimension), "image_embeds");
        g.Output("image_embeds", DataType.Float, "batch_size", outputDimension);
        g.Save(path);
    }

    /// <summary>
    /// A solid colour image, given as RGB in [0, 1], preprocessed like CLIP: a float32 CHW tensor of
    /// 3 x 224 x 224 values, normalized with <see cref="PixelMean"/> / <see cref="PixelStd"/>. Returned as
    /// <c>float[]</c> (not bytes) so it feeds <c>OrtValue.CreateTensorValueFromMemory</c> directly.
    /// </summary>
    public static float[] SolidColourPixels(float r, float g, float b)
    {
        const int plane = ImageSize * ImageSize;
        var pixels = new float[3 * plane];
        float[] rgb = [r, g, b];
        for (var c = 0; c < 3; c++)
        {
            pixels.AsSpan(c * plane, plane).Fill((rgb[c] - PixelMean[c]) / PixelStd[c]);
        }
        return pixels;
    }

    // ---- Towers shared by the split and combined layouts -------------------------------------

    /// <summary>Token embeddings (Gather), optionally masked, summed over the sequence: [batch, D].</summary>
    private static string TextTower(OnnxGraphBuilder g, ColourWeights weights, string inputIds, string? attentionMask)
    {
        var table = g.Weight("token_embedding", weights.TokenEmbedding, VocabularySize, weights.Dimension);
        var tokens = g.Gather(table, inputIds);
        if (attentionMask is not null)
        {
            tokens = g.Mul(tokens, g.Unsqueeze(g.Cast(attentionMask, DataType.Float), 2));
        }
        return g.ReduceSum(tokens, [1], keepDims: false);
    }

    /// <summary>Per-channel mean of the normalized pixels [batch, 3], mapped affinely onto the colour directions: [batch, D].</summary>
    private static string VisionTower(OnnxGraphBuilder g, ColourWeights weights, string pixels)
    {
        var channelMeans = g.ReduceMean(pixels, [2, 3], keepDims: false);
        var colourMap = g.Weight("colour_map", weights.ColourMap, 3, weights.Dimension);
        var colourBias = g.Weight("colour_bias", weights.ColourBias, weights.Dimension);
        return g.Add(g.MatMul(channelMeans, colourMap), colourBias);
    }

    // ---- Weights ------------------------------------------------------------------------------

    private sealed class ColourWeights
    {
        public required int Dimension { get; init; }
        public required byte[] TokenEmbedding { get; init; }      // [49408, D]
        public required float[] TextProjection { get; init; }     // [D, D]
        public required float[] ColourMap { get; init; }          // [3, D]
        public required float[] ColourBias { get; init; }         // [D]
        public required float[] VisualProjection { get; init; }   // [D, D]

        public static ColourWeights Create(string vocabJsonPath, int dimension)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(dimension, Colours.Count);
            var colourIds = ColourTokenIds(vocabJsonPath);
            var directions = OrthonormalDirections(Colours.Count, dimension, new SeededGaussian(DirectionSeed));

            // Token table: colour words -> their direction; specials/pad -> 0; everything else small and random.
            var raw = OnnxGraphBuilder.AllocateFloats((long)VocabularySize * dimension);
            var table = OnnxGraphBuilder.AsFloats(raw);
            new SeededGaussian(TokenSeed).Fill(table, OtherTokenNorm / MathF.Sqrt(dimension));
            foreach (var id in (long[])[0, StartOfText, EndOfText])
            {
                table.Slice((int)id * dimension, dimension).Clear();
            }
            for (var k = 0; k < colourIds.Length; k++)
            {
                directions[k].CopyTo(table.Slice(colourIds[k] * dimension, dimension));
            }

            // Vision: hidden = (mean_rgb @ RgbToColour + ColourOffset) @ directions, with mean_rgb = m * std + mean
            // recovered from the normalized channel means m. Folded into colourMap [3, D] and colourBias [D].
            var colourMap = new float[3 * dimension];
            var colourBias = new float[dimension];
            for (var k = 0; k < Colours.Count; k++)
            {
                var biasCoefficient = ColourOffset[k];
                for (var c = 0; c < 3; c++)
                {
                    biasCoefficient += PixelMean[c] * RgbToColour[c, k];
                    for (var d = 0; d < dimension; d++)
                    {
                        colourMap[c * dimension + d] += PixelStd[c] * RgbToColour[c, k] * directions[k][d];
                    }
                }
                for (var d = 0; d < dimension; d++)
                {
                    colourBias[d] += biasCoefficient * directions[k][d];
                }
            }

            // Both projections share one seeded rotation (times different scales), so text and image directions stay aligned.
            var rotation = RandomOrthogonal(dimension, new SeededGaussian(ProjectionSeed));
            return new ColourWeights
            {
                Dimension = dimension,
                TokenEmbedding = raw,
                TextProjection = [.. rotation.Select(v => v * TextProjectionScale)],
                ColourMap = colourMap,
                ColourBias = colourBias,
                VisualProjection = [.. rotation.Select(v => v * VisionProjectionScale)],
            };
        }

        private static int[] ColourTokenIds(string vocabJsonPath)
        {
            using var stream = File.OpenRead(vocabJsonPath);
            var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
                ?? throw new InvalidDataException($"'{vocabJsonPath}' is not a CLIP vocab.json.");
            return [.. Colours.Select(colour => vocab.TryGetValue(colour + "</w>", out var id) && id is > 0 and < (int)StartOfText
                ? id
                : throw new InvalidDataException($"'{colour}</w>' is missing from '{vocabJsonPath}'."))];
        }

        /// <summary>Gram-Schmidt over seeded Gaussian vectors: <paramref name="count"/> exactly orthonormal directions.</summary>
        private static float[][] OrthonormalDirections(int count, int dimension, SeededGaussian random)
        {
            var result = new double[count][];
            for (var k = 0; k < count; k++)
            {
                var v = new double[dimension];
                for (var d = 0; d < dimension; d++)
                {
                    v[d] = random.Next();
                }
                for (var j = 0; j < k; j++)
                {
                    var dot = Dot(v, result[j]);
                    for (var d = 0; d < dimension; d++)
                    {
                        v[d] -= dot * result[j][d];
                    }
                }
                var norm = Math.Sqrt(Dot(v, v));
                result[k] = [.. v.Select(x => x / norm)];
            }
            return [.. result.Select(v => v.Select(x => (float)x).ToArray())];
        }

        /// <summary>A dense, seeded orthogonal [D, D] matrix (row-major): Gram-Schmidt over D Gaussian rows.</summary>
        private static float[] RandomOrthogonal(int dimension, SeededGaussian random) =>
            [.. OrthonormalDirections(dimension, dimension, random).SelectMany(row => row)];

        private static double Dot(double[] a, double[] b)
        {
            double sum = 0;
            for (var i = 0; i < a.Length; i++)
            {
                sum += a[i] * b[i];
            }
            return sum;
        }
    }
}
