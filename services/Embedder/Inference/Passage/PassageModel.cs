using AspireMmRag.Embedder.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace AspireMmRag.Embedder.Inference.Passage;

/// <summary>
/// A BERT-style sentence embedding model (snowflake-arctic-embed-xs by default; bge-base-en-v1.5 and the like work too):
/// WordPiece tokenization, <c>[CLS] … [SEP]</c> truncated to the token limit (<see cref="EmbedReportingTruncation"/> says
/// which texts were cut), CLS or mean pooling, L2 normalization.
/// Query prefixes are the caller's business (see <see cref="PassageModelOptions.QueryPrefix"/>).
/// </summary>
public sealed class PassageModel : IDisposable
{
    public const string Name = "passage";
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private readonly OnnxSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly PassagePooling _pooling;
    private readonly string _outputName;

    private PassageModel(OnnxSession session, BertTokenizer tokenizer, PassageModelOptions options)
    {
        _session = session;
        _tokenizer = tokenizer;
        _pooling = options.Pooling;
        ModelId = options.ModelId;
        MaxTokens = options.MaxTokens;
        if (MaxTokens < 3)
        {
            throw new InvalidDataException($"Passage model token limit {MaxTokens} is too small.");
        }

        foreach (var (name, metadata) in session.Session.InputMetadata)
        {
            if (name is not (InputIds or AttentionMask or TokenTypeIds) || metadata.ElementType != typeof(long))
            {
                throw new InvalidDataException($"Passage model input '{name}' ({metadata.ElementType.Name}) is not one of int64 {InputIds}, {AttentionMask}, {TokenTypeIds}.");
            }
        }
        if (!session.Session.InputMetadata.ContainsKey(InputIds))
        {
            throw new InvalidDataException($"Passage model has no '{InputIds}' input.");
        }
        var outputs = session.Session.OutputMetadata;
        _outputName = outputs.ContainsKey("last_hidden_state") ? "last_hidden_state"
            : outputs.ContainsKey("sentence_embedding") ? "sentence_embedding"
            : outputs.Keys.First();

        Dimension = Embed(["warm-up"])[0].Length;
    }

    public string ModelId { get; }
    public int Dimension { get; }
    public int MaxTokens { get; }
    public string ExecutionProvider => _session.ExecutionProvider;

    /// <summary>Loads <c>model.onnx</c> + <c>vocab.txt</c> from <paramref name="directory"/>.</summary>
    public static PassageModel Load(string directory, PassageModelOptions options, OnnxSessionFactory sessions)
    {
        var modelPath = Path.Combine(directory, "model.onnx");
        var vocabPath = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(modelPath) || !File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"Passage model folder '{directory}' needs model.onnx and vocab.txt.");
        }

        var tokenizer = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = options.LowerCase });
        var session = sessions.Create(modelPath);
        try
        {
            return new PassageModel(session, tokenizer, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Counts the WordPiece tokens of a text (without [CLS]/[SEP]), e.g. for chunking.</summary>
    public int CountTokens(string text) => _tokenizer.CountTokens(text, considerPreTokenization: true, considerNormalization: true);

    public float[][] Embed(IReadOnlyList<string> texts) => [.. EmbedReportingTruncation(texts).Select(embedding => embedding.Vector)];

    /// <summary>Embeds <paramref name="texts"/>, each cut to <see cref="MaxTokens"/> − 2 WordPiece tokens, and says which were cut.</summary>
    public ItemEmbedding[] EmbedReportingTruncation(IReadOnlyList<string> texts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(texts.Count);
        var encoded = new IReadOnlyList<int>[texts.Count];
        var truncated = new bool[texts.Count];
        var longest = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            encoded[i] = _tokenizer.EncodeToIds(texts[i], MaxTokens - 2, addSpecialTokens: false, out var normalized, out var consumed);
            truncated[i] = MayBeCut(normalized ?? texts[i], consumed) && CountTokens(texts[i]) > MaxTokens - 2;
            longest = Math.Max(longest, encoded[i].Count + 2);
        }
        var vectors = Run(texts.Count, encoded, longest);
        return [.. vectors.Select((vector, i) => new ItemEmbedding(vector, truncated[i]))];
    }

    /// <summary>Something but white space is left after what the tokenizer says it consumed. That is not proof: at exactly the
    /// token limit it reports one word less than it encoded, so a hit is confirmed by counting every token.</summary>
    private static bool MayBeCut(string normalized, int consumed) =>
        consumed < normalized.Length && normalized.AsSpan(consumed).ContainsAnyExcept(" \t\r\n\u00a0\u2028\u2029");

    private float[][] Run(int count, IReadOnlyList<int>[] encoded, int longest)
    {
        var ids = new long[count * longest];
        var mask = new long[count * longest];
        for (var i = 0; i < count; i++)
        {
            var row = ids.AsSpan(i * longest, longest);
            row.Fill(_tokenizer.PaddingTokenId);
            row[0] = _tokenizer.ClassificationTokenId;
            for (var t = 0; t < encoded[i].Count; t++)
            {
                row[t + 1] = encoded[i][t];
            }
            row[encoded[i].Count + 1] = _tokenizer.SeparatorTokenId;
            mask.AsSpan(i * longest, encoded[i].Count + 2).Fill(1);
        }

        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            long[] shape = [count, longest];
            inputs[InputIds] = OrtValue.CreateTensorValueFromMemory(ids, shape);
            if (_session.Session.InputMetadata.ContainsKey(AttentionMask))
            {
                inputs[AttentionMask] = OrtValue.CreateTensorValueFromMemory(mask, shape);
            }
            if (_session.Session.InputMetadata.ContainsKey(TokenTypeIds))
            {
                inputs[TokenTypeIds] = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
            }

            using var runOptions = new RunOptions();
            using var outputs = _session.Session.Run(runOptions, inputs, [_outputName]);
            return Pool(outputs[0], mask, count, longest);
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    private float[][] Pool(OrtValue output, long[] mask, int rows, int sequence)
    {
        var shape = output.GetTensorTypeAndShape().Shape;
        var data = output.GetTensorDataAsSpan<float>();
        var result = new float[rows][];
        if (shape.Length == 2)
        {
            // Already pooled (e.g. a "sentence_embedding" output).
            for (var i = 0; i < rows; i++)
            {
                result[i] = VectorMath.NormalizedRow(data, i, (int)shape[1]);
            }
            return result;
        }

        if (shape.Length != 3 || shape[0] != rows || shape[1] != sequence)
        {
            throw new InvalidDataException($"Passage model output '{_outputName}' has shape [{string.Join(", ", shape)}], expected [{rows}, {sequence}, hidden].");
        }
        var hidden = (int)shape[2];
        for (var i = 0; i < rows; i++)
        {
            var vector = new float[hidden];
            var tokens = data.Slice(i * sequence * hidden, sequence * hidden);
            if (_pooling == PassagePooling.Cls)
            {
                tokens[..hidden].CopyTo(vector);
            }
            else
            {
                var count = 0;
                for (var t = 0; t < sequence; t++)
                {
                    if (mask[i * sequence + t] == 0)
                    {
                        continue;
                    }
                    System.Numerics.Tensors.TensorPrimitives.Add(vector, tokens.Slice(t * hidden, hidden), vector);
                    count++;
                }
                System.Numerics.Tensors.TensorPrimitives.Divide(vector, count, vector);
            }
            VectorMath.NormalizeInPlace(vector);
            result[i] = vector;
        }
        return result;
    }

    public void Dispose() => _session.Dispose();
}
