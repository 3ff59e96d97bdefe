using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace AspireMmRag.Indexer.Chunking;

/// <summary>
/// The passage model's WordPiece tokenizer (<see cref="BertTokenizer"/> over <see cref="ChunkingOptions.Vocabulary"/>, with
/// the embedder's options), so the chunker counts exactly the tokens the model reads. Loaded once per vocabulary file and
/// lower-casing setting.
/// </summary>
public sealed class PassageTokenizer
{
    private static readonly ConcurrentDictionary<(string Path, bool LowerCase), Lazy<PassageTokenizer>> Loaded = new();
    private readonly BertTokenizer _tokenizer;

    private PassageTokenizer(string path, bool lowerCase)
    {
        _tokenizer = BertTokenizer.Create(path, new BertOptions { LowerCaseBeforeTokenization = lowerCase });
    }

    /// <summary>The tokenizer of <paramref name="options"/>' vocabulary (a relative path is taken from the indexer's folder).</summary>
    /// <exception cref="FileNotFoundException">The vocabulary file does not exist.</exception>
    public static PassageTokenizer For(ChunkingOptions options)
    {
        var path = Path.GetFullPath(options.Vocabulary, AppContext.BaseDirectory);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Chunking:Vocabulary '{path}' does not exist: it must be the passage model's vocab.txt.", path);
        }
        return Loaded.GetOrAdd((path, options.LowerCase), key => new Lazy<PassageTokenizer>(() => new PassageTokenizer(key.Path, key.LowerCase))).Value;
    }

    /// <summary>WordPiece tokens of <paramref name="text"/>, without [CLS] and [SEP].</summary>
    public int Count(string text) => _tokenizer.CountTokens(text, considerPreTokenization: true, considerNormalization: true);

    /// <summary>The length of the longest prefix of <paramref name="text"/> (never splitting a surrogate pair) with at most
    /// <paramref name="maxTokens"/> tokens; at least one character.</summary>
    public int PrefixLength(string text, int maxTokens)
    {
        int low = 1, high = text.Length;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (Count(text[..Whole(text, middle)]) <= maxTokens)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return Math.Max(Whole(text, low), Math.Min(text.Length, char.IsHighSurrogate(text[0]) ? 2 : 1));
    }

    private static int Whole(string text, int length) =>
        length < text.Length && length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
}
