using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AspireMmRag.Embedder.Inference.Clip;

/// <summary>
/// Byte-level BPE tokenizer of openai/CLIP (<c>simple_tokenizer.py</c>), written from scratch.
/// Loads either the Hugging Face layout (<c>vocab.json</c> + <c>merges.txt</c>) or the original
/// <c>bpe_simple_vocab_16e6.txt.gz</c>; both produce the same ids.
/// </summary>
/// <remarks>
/// Immutable after construction except for a bounded, thread-safe word cache, so one instance can be
/// shared by concurrent callers.
/// </remarks>
public sealed class ClipTokenizer
{
    public const int ContextLength = 77;
    public const int StartOfTextId = 49406;
    public const int EndOfTextId = 49407;

    private const string StartOfText = "<|startoftext|>";
    private const string EndOfText = "<|endoftext|>";
    private const string EndOfWord = "</w>";
    private const string VocabJsonFile = "vocab.json";
    private const string MergesTxtFile = "merges.txt";
    private const string OpenAiBpeFile = "bpe_simple_vocab_16e6.txt.gz";

    /// <summary>Number of merges openai/CLIP keeps from the gzip file: 49152 - 256 - 2.</summary>
    private const int OpenAiMergeCount = 49152 - 256 - 2;

    private const int MaxContentIds = ContextLength - 2;
    private const int MaxCacheEntries = 100_000;
    private const int MaxCachedPieceLength = 256;

    private static readonly Regex PreTokenizer = new(
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+",
        RegexOptions.IgnoreCase | RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>GPT-2 <c>bytes_to_unicode</c>: byte value → printable character.</summary>
    private static readonly char[] ByteToChar;

    /// <summary>The byte values in the order openai/CLIP lists them (the dict order of <c>bytes_to_unicode</c>).</summary>
    private static readonly byte[] ByteOrder;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Id of each byte as a word-inner symbol and as the last symbol of a word (with <c>&lt;/w&gt;</c>).</summary>
    private readonly int[] _byteIds = new int[256];
    private readonly int[] _byteEndIds = new int[256];

    /// <summary>(left id, right id) packed in a long → (merge rank, merged id).</summary>
    private readonly Dictionary<long, (int Rank, int Id)> _merges;

    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private int _cacheCount;

    static ClipTokenizer()
    {
        ByteToChar = BuildByteToChar(out ByteOrder);
    }

    private ClipTokenizer(IReadOnlyDictionary<string, int> vocab, IEnumerable<(string Left, string Right)> merges, string source)
    {
        VocabularySize = vocab.Count;

        if (!vocab.TryGetValue(StartOfText, out var sot) || sot != StartOfTextId ||
            !vocab.TryGetValue(EndOfText, out var eot) || eot != EndOfTextId)
        {
            throw new InvalidDataException(
                $"{source}: the vocabulary must map {StartOfText} to {StartOfTextId} and {EndOfText} to {EndOfTextId}.");
        }

        for (var b = 0; b < 256; b++)
        {
            var symbol = ByteToChar[b].ToString();
            if (!vocab.TryGetValue(symbol, out _byteIds[b]) || !vocab.TryGetValue(symbol + EndOfWord, out _byteEndIds[b]))
            {
                throw new InvalidDataException($"{source}: the vocabulary lacks the byte symbol '{symbol}' (byte {b}).");
            }
        }

        _merges = new Dictionary<long, (int Rank, int Id)>(OpenAiMergeCount);
        var rank = 0;
        foreach (var (left, right) in merges)
        {
            if (!vocab.TryGetValue(left, out var leftId) || !vocab.TryGetValue(right, out var rightId) ||
                !vocab.TryGetValue(left + right, out var mergedId))
            {
                throw new InvalidDataException($"{source}: merge #{rank + 1} '{left} {right}' uses a symbol missing from the vocabulary.");
            }
            // Python's dict(zip(merges, range(len(merges)))) keeps the last rank of a duplicate pair.
            _merges[Pack(leftId, rightId)] = (rank, mergedId);
            rank++;
        }

        if (_merges.Count == 0)
        {
            throw new InvalidDataException($"{source}: no BPE merges were found.");
        }

        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of entries in the vocabulary (49,408 for CLIP ViT-B/32).</summary>
    public int VocabularySize { get; }

    /// <summary>Loads the Hugging Face layout: <c>vocab.json</c> (token → id) and <c>merges.txt</c> (<c>#version: 0.2</c> header).</summary>
    public static ClipTokenizer FromFiles(string vocabJsonPath, string mergesTxtPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(vocabJsonPath);
        ArgumentException.ThrowIfNullOrEmpty(mergesTxtPath);

        Dictionary<string, int> vocab;
        using (var stream = File.OpenRead(vocabJsonPath))
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
                ?? throw new InvalidDataException($"'{vocabJsonPath}' does not hold a JSON object of token ids.");
        }

        var merges = new List<(string, string)>(OpenAiMergeCount);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(mergesTxtPath))
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
            {
                continue;
            }
            merges.Add(ParseMerge(line, mergesTxtPath, lineNumber));
        }

        return new ClipTokenizer(vocab, merges, $"'{vocabJsonPath}' + '{mergesTxtPath}'");
    }

    /// <summary>
    /// Loads <c>vocab.json</c> + <c>merges.txt</c> from <paramref name="directory"/> when both exist,
    /// else the original <c>bpe_simple_vocab_16e6.txt.gz</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither layout is present.</exception>
    public static ClipTokenizer FromDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);

        var vocabJson = Path.Combine(directory, VocabJsonFile);
        var mergesTxt = Path.Combine(directory, MergesTxtFile);
        if (File.Exists(vocabJson) && File.Exists(mergesTxt))
        {
            return FromFiles(vocabJson, mergesTxt);
        }

        var gz = Path.Combine(directory, OpenAiBpeFile);
        if (File.Exists(gz))
        {
            return FromOpenAiBpe(gz);
        }

        throw new FileNotFoundException(
            $"No CLIP tokenizer files in '{Path.GetFullPath(directory)}': expected '{VocabJsonFile}' and '{MergesTxtFile}' " +
            $"(Hugging Face layout) or '{OpenAiBpeFile}' (openai/CLIP layout).",
            gz);
    }

    /// <summary>Tokenizes <paramref name="text"/> to <c>[49406, ..., 49407]</c>, truncated to <see cref="ContextLength"/> ids.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        Span<long> buffer = stackalloc long[ContextLength];
        var count = EncodeCore(text, buffer);
        var ids = new int[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (int)buffer[i];
        }
        return ids;
    }

    /// <summary>
    /// Writes the ids of <paramref name="text"/> to <paramref name="destination"/> (exactly <see cref="ContextLength"/> long),
    /// pads the rest with <paramref name="padId"/>, and returns the number of real ids (start and end of text included).
    /// </summary>
    public int EncodeTo(string text, Span<long> destination, long padId)
    {
        if (destination.Length != ContextLength)
        {
            throw new ArgumentException(
                $"The destination must hold exactly {ContextLength} ids (got {destination.Length}).", nameof(destination));
        }
        var count = EncodeCore(text, destination);
        destination[count..].Fill(padId);
        return count;
    }

    private int EncodeCore(string text, Span<long> destination)
    {
        ArgumentNullException.ThrowIfNull(text);

        var cleaned = Clean(text);
        var count = 0;
        destination[count++] = StartOfTextId;

        var truncated = false;
        foreach (var match in PreTokenizer.EnumerateMatches(cleaned))
        {
            var ids = GetWordIds(cleaned.AsSpan(match.Index, match.Length));
            foreach (var id in ids)
            {
                if (count - 1 == MaxContentIds)
                {
                    truncated = true;
                    break;
                }
                destination[count++] = id;
            }
            if (truncated)
            {
                break;
            }
        }

        destination[count++] = EndOfTextId;
        return count;
    }

    /// <summary>ftfy stand-in (NFC), HTML-unescape twice, strip, collapse whitespace, lowercase.</summary>
    private static string Clean(string text)
    {
        string normalized;
        try
        {
            normalized = text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            // Lone surrogates make Normalize throw; replace them as UTF-8 encoding would.
            normalized = Utf8.GetString(Utf8.GetBytes(text)).Normalize(NormalizationForm.FormC);
        }

        var unescaped = WebUtility.HtmlDecode(WebUtility.HtmlDecode(normalized));

        var builder = new StringBuilder(unescaped.Length);
        var pendingSpace = false;
        foreach (var c in unescaped)
        {
            if (IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }
            builder.Append(c);
        }

        return ToLowerLikePython(builder.ToString());
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: <see cref="string.ToLowerInvariant"/> matches it on every BMP character except
    /// U+0130 (İ → "i\u0307") and the contextual final sigma (Σ → ς at the end of a word).
    /// </summary>
    private static string ToLowerLikePython(string text)
    {
        if (text.AsSpan().IndexOfAny('\u0130', '\u03A3') < 0)
        {
            return text.ToLowerInvariant();
        }

        var builder = new StringBuilder(text.Length + 8);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is not ('\u0130' or '\u03A3'))
            {
                continue;
            }
            builder.Append(text.AsSpan(start, i - start).ToString().ToLowerInvariant());
            builder.Append(c == '\u0130' ? "i\u0307" : IsFinalSigma(text, i) ? "\u03C2" : "\u03C3");
            start = i + 1;
        }
        builder.Append(text.AsSpan(start).ToString().ToLowerInvariant());
        return builder.ToString();
    }

    /// <summary>CPython's Final_Sigma test: a cased letter before (skipping case-ignorables) and none after.</summary>
    private static bool IsFinalSigma(string text, int index)
    {
        var before = index;
        Rune rune = default;
        var found = false;
        while (before > 0 && Rune.DecodeLastFromUtf16(text.AsSpan(0, before), out rune, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            before -= consumed;
            if (!IsCaseIgnorable(rune))
            {
                found = true;
                break;
            }
        }
        if (!found || !IsCased(rune))
        {
            return false;
        }

        var after = index + 1;
        while (after < text.Length && Rune.DecodeFromUtf16(text.AsSpan(after), out rune, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            after += consumed;
            if (!IsCaseIgnorable(rune))
            {
                return !IsCased(rune);
            }
        }
        return true;
    }

    private static bool IsCased(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or
            UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol ||
        rune.Value is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;

    /// <summary>Python's <c>str.isspace</c> / <c>\s</c>: .NET whitespace plus the information separators U+001C..U+001F.</summary>
    private static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    private int[] GetWordIds(ReadOnlySpan<char> piece)
    {
        if (_cacheLookup.TryGetValue(piece, out var cached))
        {
            return cached;
        }

        int[] ids;
        if (piece.Equals(StartOfText, StringComparison.OrdinalIgnoreCase))
        {
            ids = [StartOfTextId];
        }
        else if (piece.Equals(EndOfText, StringComparison.OrdinalIgnoreCase))
        {
            ids = [EndOfTextId];
        }
        else
        {
            ids = Bpe(piece);
        }

        if (piece.Length <= MaxCachedPieceLength && _cacheLookup.TryAdd(piece, ids) &&
            Interlocked.Increment(ref _cacheCount) > MaxCacheEntries)
        {
            _cache.Clear();
            Interlocked.Exchange(ref _cacheCount, 0);
        }
        return ids;
    }

    /// <summary>
    /// openai/CLIP <c>bpe</c> on ids: the UTF-8 bytes become symbols (the last one with <c>&lt;/w&gt;</c>), then the
    /// lowest-ranked adjacent pair is merged everywhere (left to right) until no pair has a rank.
    /// </summary>
    private int[] Bpe(ReadOnlySpan<char> piece)
    {
        var byteCount = Utf8.GetByteCount(piece);
        Span<byte> bytes = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Utf8.GetBytes(piece, bytes);

        var symbols = new int[byteCount];
        for (var i = 0; i < byteCount - 1; i++)
        {
            symbols[i] = _byteIds[bytes[i]];
        }
        symbols[byteCount - 1] = _byteEndIds[bytes[byteCount - 1]];

        var length = byteCount;
        while (length > 1)
        {
            var bestRank = int.MaxValue;
            long bestPair = 0;
            var bestId = 0;
            for (var i = 0; i < length - 1; i++)
            {
                var pair = Pack(symbols[i], symbols[i + 1]);
                if (_merges.TryGetValue(pair, out var merge) && merge.Rank < bestRank)
                {
                    bestRank = merge.Rank;
                    bestPair = pair;
                    bestId = merge.Id;
                }
            }
            if (bestRank == int.MaxValue)
            {
                break;
            }

            var write = 0;
            for (var read = 0; read < length; write++)
            {
                if (read < length - 1 && Pack(symbols[read], symbols[read + 1]) == bestPair)
                {
                    symbols[write] = bestId;
                    read += 2;
                }
                else
                {
                    symbols[write] = symbols[read];
                    read++;
                }
            }
            length = write;
        }

        return length == symbols.Length ? symbols : symbols[..length];
    }

    private static ClipTokenizer FromOpenAiBpe(string gzPath)
    {
        string[] lines;
        using (var file = File.OpenRead(gzPath))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip, Encoding.UTF8))
        {
            lines = reader.ReadToEnd().Split('\n');
        }

        if (lines.Length < OpenAiMergeCount + 1)
        {
            throw new InvalidDataException(
                $"'{gzPath}' holds {lines.Length - 1} merge lines; openai/CLIP needs at least {OpenAiMergeCount}.");
        }

        // merges = lines[1 : 49152-256-2+1]
        var merges = new List<(string Left, string Right)>(OpenAiMergeCount);
        for (var i = 1; i <= OpenAiMergeCount; i++)
        {
            merges.Add(ParseMerge(lines[i], gzPath, i + 1));
        }

        // vocab = bytes_to_unicode values, the same with </w>, the joined merges, then the specials.
        var tokens = new List<string>(512 + OpenAiMergeCount + 2);
        foreach (var b in ByteOrder)
        {
            tokens.Add(ByteToChar[b].ToString());
        }
        foreach (var b in ByteOrder)
        {
            tokens.Add(ByteToChar[b] + EndOfWord);
        }
        foreach (var (left, right) in merges)
        {
            tokens.Add(left + right);
        }
        tokens.Add(StartOfText);
        tokens.Add(EndOfText);

        var vocab = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Count; id++)
        {
            // Python's dict(zip(vocab, range(len(vocab)))) keeps the last id of a duplicate token.
            vocab[tokens[id]] = id;
        }

        return new ClipTokenizer(vocab, merges, $"'{gzPath}'");
    }

    private static (string Left, string Right) ParseMerge(string line, string path, int lineNumber)
    {
        var parts = line.TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2
            ? (parts[0], parts[1])
            : throw new InvalidDataException($"'{path}' line {lineNumber}: expected two symbols separated by a space, got '{line}'.");
    }

    private static long Pack(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>GPT-2 <c>bytes_to_unicode</c>, plus the order in which the Python dict lists the bytes.</summary>
    private static char[] BuildByteToChar(out byte[] order)
    {
        var map = new char[256];
        var ordered = new List<byte>(256);
        var assigned = new bool[256];
        for (var b = 0; b < 256; b++)
        {
            if (b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ')
            {
                map[b] = (char)b;
                assigned[b] = true;
                ordered.Add((byte)b);
            }
        }
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!assigned[b])
            {
                map[b] = (char)(256 + next++);
                ordered.Add((byte)b);
            }
        }
        order = [.. ordered];
        return map;
    }
}
