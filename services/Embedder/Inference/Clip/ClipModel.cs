using AspireMmRag.Embedder.Options;
using Microsoft.ML.OnnxRuntime;

namespace AspireMmRag.Embedder.Inference.Clip;

/// <summary>
/// CLIP ViT-B/32 on ONNX Runtime, from either export layout:
/// split (<c>text_model.onnx</c> → <c>text_embeds</c>, <c>vision_model.onnx</c> → <c>image_embeds</c>, un-normalized)
/// or combined (<c>model.onnx</c> needing <c>input_ids</c>, <c>attention_mask</c> and <c>pixel_values</c> on every run).
/// Inputs are built from the sessions' input metadata, so both layouts (and quantized siblings) load through this code.
/// Every returned vector is L2-normalized.
/// </summary>
public sealed class ClipModel : IDisposable
{
    public const string Name = "clip";
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string PixelValues = "pixel_values";
    private const string TextEmbeds = "text_embeds";
    private const string ImageEmbeds = "image_embeds";

    private readonly OnnxSession _text;
    private readonly OnnxSession _vision; // the same instance as _text for the combined layout
    private readonly ClipTokenizer _tokenizer;
    private readonly long _padTokenId;
    private readonly int _fixedSequenceLength; // > 0 when the export has a fixed sequence dimension

    private ClipModel(OnnxSession text, OnnxSession vision, ClipTokenizer tokenizer, string modelId, long padTokenId, string layout)
    {
        _text = text;
        _vision = vision;
        _tokenizer = tokenizer;
        _padTokenId = padTokenId;
        ModelId = modelId;
        Layout = layout;
        ValidateInputs(text.Session, isTextSession: true);
        ValidateInputs(vision.Session, isTextSession: false);
        var sequence = text.Session.InputMetadata[InputIds].Dimensions;
        _fixedSequenceLength = sequence.Length == 2 && sequence[1] > 0 ? sequence[1] : 0;
        if (_fixedSequenceLength is > ClipTokenizer.ContextLength or (> 0 and < 2))
        {
            throw new InvalidDataException($"CLIP text input has sequence length {_fixedSequenceLength}; expected at most {ClipTokenizer.ContextLength}.");
        }

        // A warm-up run proves the graph works end to end and gives the embedding dimension.
        Dimension = EmbedTexts(["a photo"])[0].Length;
        var imageDimension = EmbedImages([new float[ClipImagePreprocessor.TensorLength]])[0].Length;
        if (imageDimension != Dimension)
        {
            throw new InvalidDataException($"CLIP text ({Dimension}-d) and image ({imageDimension}-d) embeddings differ in size.");
        }
    }

    public string ModelId { get; }
    public string Layout { get; }
    public int Dimension { get; }
    public string ExecutionProvider => _text.ExecutionProvider;
    public static int MaxTokens => ClipTokenizer.ContextLength;

    /// <summary>Loads the split export when both of its files exist, else the combined one.</summary>
    public static ClipModel Load(string directory, ClipModelOptions options, OnnxSessionFactory sessions)
    {
        var textPath = Path.Combine(directory, options.TextModelFile);
        var visionPath = Path.Combine(directory, options.VisionModelFile);
        var combinedPath = Path.Combine(directory, options.CombinedModelFile);
        var tokenizer = ClipTokenizer.FromDirectory(directory);

        if (File.Exists(textPath) && File.Exists(visionPath))
        {
            var text = sessions.Create(textPath);
            try
            {
                var vision = sessions.Create(visionPath);
                try
                {
                    return new ClipModel(text, vision, tokenizer, options.ModelId, options.PadTokenId, "split");
                }
                catch
                {
                    vision.Dispose();
                    throw;
                }
            }
            catch
            {
                text.Dispose();
                throw;
            }
        }

        if (File.Exists(combinedPath))
        {
            var combined = sessions.Create(combinedPath);
            try
            {
                return new ClipModel(combined, combined, tokenizer, options.ModelId, options.PadTokenId, "combined");
            }
            catch
            {
                combined.Dispose();
                throw;
            }
        }

        throw new FileNotFoundException(
            $"No CLIP model in '{directory}': expected {options.TextModelFile} + {options.VisionModelFile}, or {options.CombinedModelFile}.");
    }

    public float[][] EmbedTexts(IReadOnlyList<string> texts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(texts.Count);
        var encoded = new long[texts.Count * ClipTokenizer.ContextLength];
        var longest = 2;
        for (var i = 0; i < texts.Count; i++)
        {
            var count = _tokenizer.EncodeTo(texts[i], encoded.AsSpan(i * ClipTokenizer.ContextLength, ClipTokenizer.ContextLength), _padTokenId);
            longest = Math.Max(longest, count);
        }

        // CLIP pools at the end-of-text token under a causal mask, so trailing padding can be cut to the batch's longest text.
        var sequence = _fixedSequenceLength > 0 ? _fixedSequenceLength : longest;
        var ids = new long[texts.Count * sequence];
        var mask = new long[texts.Count * sequence];
        for (var i = 0; i < texts.Count; i++)
        {
            var row = encoded.AsSpan(i * ClipTokenizer.ContextLength, sequence);
            row.CopyTo(ids.AsSpan(i * sequence, sequence));
            var real = Math.Min(sequence, RealTokenCount(row));
            mask.AsSpan(i * sequence, real).Fill(1);
        }

        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            inputs[InputIds] = OrtValue.CreateTensorValueFromMemory(ids, [texts.Count, sequence]);
            if (_text.Session.InputMetadata.ContainsKey(AttentionMask))
            {
                inputs[AttentionMask] = OrtValue.CreateTensorValueFromMemory(mask, [texts.Count, sequence]);
            }
            if (_text.Session.InputMetadata.ContainsKey(PixelValues))
            {
                inputs[PixelValues] = OrtValue.CreateTensorValueFromMemory(new float[ClipImagePreprocessor.TensorLength], [1, 3, ClipImagePreprocessor.Size, ClipImagePreprocessor.Size]);
            }
            return Run(_text.Session, inputs, TextEmbeds, texts.Count);
        }
        finally
        {
            DisposeAll(inputs);
        }
    }

    /// <summary>Embeds preprocessed images: each a CHW tensor of <see cref="ClipImagePreprocessor.TensorLength"/> floats.</summary>
    public float[][] EmbedImages(IReadOnlyList<float[]> pixelTensors)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pixelTensors.Count);
        var pixels = new float[pixelTensors.Count * ClipImagePreprocessor.TensorLength];
        for (var i = 0; i < pixelTensors.Count; i++)
        {
            if (pixelTensors[i].Length != ClipImagePreprocessor.TensorLength)
            {
                throw new ArgumentException($"Image tensor {i} has {pixelTensors[i].Length} values, expected {ClipImagePreprocessor.TensorLength}.", nameof(pixelTensors));
            }
            pixelTensors[i].CopyTo(pixels, i * ClipImagePreprocessor.TensorLength);
        }

        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            inputs[PixelValues] = OrtValue.CreateTensorValueFromMemory(pixels, [pixelTensors.Count, 3, ClipImagePreprocessor.Size, ClipImagePreprocessor.Size]);
            if (_vision.Session.InputMetadata.ContainsKey(InputIds))
            {
                // The combined export runs both towers on every call: give it the smallest valid text.
                var length = _fixedSequenceLength > 0 ? _fixedSequenceLength : 2;
                var ids = new long[length];
                ids.AsSpan().Fill(_padTokenId);
                ids[0] = ClipTokenizer.StartOfTextId;
                ids[1] = ClipTokenizer.EndOfTextId;
                var mask = new long[length];
                mask[0] = mask[1] = 1;
                inputs[InputIds] = OrtValue.CreateTensorValueFromMemory(ids, [1, length]);
                if (_vision.Session.InputMetadata.ContainsKey(AttentionMask))
                {
                    inputs[AttentionMask] = OrtValue.CreateTensorValueFromMemory(mask, [1, length]);
                }
            }
            return Run(_vision.Session, inputs, ImageEmbeds, pixelTensors.Count);
        }
        finally
        {
            DisposeAll(inputs);
        }
    }

    private static float[][] Run(InferenceSession session, Dictionary<string, OrtValue> inputs, string outputName, int rows)
    {
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, [outputName]);
        var output = outputs[0];
        var shape = output.GetTensorTypeAndShape().Shape;
        if (shape.Length != 2 || shape[0] != rows)
        {
            throw new InvalidDataException($"CLIP output '{outputName}' has shape [{string.Join(", ", shape)}], expected [{rows}, dimension].");
        }
        var dimension = (int)shape[1];
        var data = output.GetTensorDataAsSpan<float>();
        var result = new float[rows][];
        for (var i = 0; i < rows; i++)
        {
            result[i] = VectorMath.NormalizedRow(data, i, dimension);
        }
        return result;
    }

    private int RealTokenCount(ReadOnlySpan<long> row)
    {
        // The sequence ends at the first end-of-text token.
        var end = row.IndexOf(ClipTokenizer.EndOfTextId);
        return end < 0 ? row.Length : end + 1;
    }

    private static void ValidateInputs(InferenceSession session, bool isTextSession)
    {
        foreach (var (name, metadata) in session.InputMetadata)
        {
            var expected = name switch
            {
                InputIds or AttentionMask => typeof(long),
                PixelValues => typeof(float),
                _ => throw new InvalidDataException($"CLIP model has an unexpected input '{name}'. Known inputs: {InputIds}, {AttentionMask}, {PixelValues}."),
            };
            if (metadata.ElementType != expected)
            {
                throw new InvalidDataException($"CLIP input '{name}' is {metadata.ElementType.Name}, expected {expected.Name}.");
            }
        }
        var required = isTextSession ? InputIds : PixelValues;
        if (!session.InputMetadata.ContainsKey(required))
        {
            throw new InvalidDataException($"CLIP {(isTextSession ? "text" : "vision")} model has no '{required}' input.");
        }
        var output = isTextSession ? TextEmbeds : ImageEmbeds;
        if (!session.OutputMetadata.ContainsKey(output))
        {
            throw new InvalidDataException($"CLIP model has no '{output}' output (outputs: {string.Join(", ", session.OutputMetadata.Keys)}).");
        }
    }

    private static void DisposeAll(Dictionary<string, OrtValue> values)
    {
        foreach (var value in values.Values)
        {
            value.Dispose();
        }
    }

    public void Dispose()
    {
        _text.Dispose();
        if (!ReferenceEquals(_text, _vision))
        {
            _vision.Dispose();
        }
    }
}
