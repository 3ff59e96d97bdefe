using System.Globalization;
using System.Text;

namespace AspireMmRag.VectorStore;

/// <summary>
/// Full-text query helpers shared by the stores: <see cref="Tokens"/> (the words Milvus is sent; the embedded store splits
/// with <see cref="Embedded.FullTextTokenizer"/>, exactly as its index does), <see cref="ToFts5Match(IReadOnlyList{string})"/>
/// and <see cref="SelectTerms(IReadOnlyList{string}, IReadOnlyList{long}, long)"/>.
/// Turns user text into a full-text query that means "any of these words" and nothing else. A word is a maximal run of
/// letters, numbers and combining marks; everything else (whitespace, quotes, <c>*</c>, <c>:</c>, <c>-</c>, <c>^</c>,
/// <c>+</c>, parentheses, braces, commas...) only separates words, so "Tōdai-ji's" gives "Tōdai", "ji" and "s", as an
/// index tokenizer (SQLite's unicode61, Milvus's standard analyzer) splits the passage text. Words that differ only in
/// case or diacritics ("Hue", "huế") are kept once, since a repeated term would count twice in BM25; at most
/// <see cref="MaxTokens"/> distinct words are kept, in their order of appearance. Operator words (<c>AND</c>,
/// <c>OR</c>, <c>NOT</c>, <c>NEAR</c>) are plain words.
/// </summary>
internal static class FullTextQuery
{
    /// <summary>Words beyond this many (distinct) are ignored: every OR-ed term costs a posting-list scan.</summary>
    public const int MaxTokens = 32;

    /// <summary>The distinct words of <paramref name="text"/> as the user wrote them.</summary>
    public static IReadOnlyList<string> Tokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var start = -1;
        var i = 0;
        while (tokens.Count < MaxTokens)
        {
            var word = false;
            var length = 1;
            if (i < text.Length)
            {
                var status = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out length);
                word = status == System.Buffers.OperationStatus.Done && IsWordRune(rune);
            }
            if (word)
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                var token = text[start..i];
                var key = Key(token);
                if (key.Length > 0 && seen.Add(key))
                {
                    tokens.Add(token);
                }
                start = -1;
            }
            if (i >= text.Length)
            {
                break;
            }
            i += length;
        }
        return tokens;
    }

    /// <summary>
    /// An SQLite FTS5 MATCH expression for words already split (and perhaps pruned by <see cref="SelectTerms"/>): each as
    /// a quoted string (so no FTS5 syntax can reach the parser; a word holds no quote, and one would be doubled), joined
    /// with <c>OR</c>. Null when there are none: FTS5 rejects an empty MATCH, so the caller must skip the query. Bind the
    /// result as a parameter.
    /// </summary>
    public static string? ToFts5Match(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0)
        {
            return null;
        }
        var match = new StringBuilder();
        foreach (var token in tokens)
        {
            if (match.Length > 0)
            {
                match.Append(" OR ");
            }
            match.Append('"').Append(token.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        return match.ToString();
    }

    /// <summary>
    /// A word in more than this share of the rows is dropped from a query that has a rarer word (one in at most this
    /// share): see <see cref="SelectTerms(IReadOnlyList{string}, IReadOnlyList{long}, long)"/>. One half: only the words
    /// whose IDF FTS5 floors. A quarter was measured on FTS5 alone (bench/Retrieval.Benchmarks, 10k synthetic passages whose
    /// verbs and adjectives are each in 48–60 % of them): BM25 p50 0.8 ms instead of 4.2 ms, hybrid 1.8 ms instead of 7.8 ms, but on
    /// the labelled set one paraphrase question fell from rank 2 to 4 in hybrid (MRR 0.902 → 0.900; hit@1 and hit@4 the
    /// same), so it is not the default: quality first.
    /// </summary>
    public const double CommonShare = 0.5;

    /// <summary>
    /// When the words are in at most this many rows altogether, every word found is kept: scoring that many rows takes
    /// a fraction of a millisecond, and a small store keeps the plain BM25 of all its words (in a store of a few passages
    /// every word is in half of them, and a query would otherwise be cut to its rarest word).
    /// </summary>
    public const long ExactUpToRows = 256;

    /// <summary>
    /// The words of <paramref name="tokens"/> worth scoring, in their order, given the number of indexed rows that contain
    /// each one (<paramref name="frequencies"/>, same order, counted by the index itself) among <paramref name="rows"/>.
    /// FTS5 scores every row that contains any word of an OR query, so the cost of a query is the number of rows its
    /// words are in, while a word's weight is its IDF, <c>log((N - n + 0.5) / (n + 0.5))</c>, floored at 1e-6 when that
    /// is not positive. Common words cost the most and weigh the least:
    /// <list type="bullet">
    /// <item>A word in no row is dropped: it matches nothing. When no word is in any row the result is empty.</item>
    /// <item>When the words found are in at most <see cref="ExactUpToRows"/> rows altogether (the sum of their
    /// frequencies), they are all kept and nothing below applies.</item>
    /// <item>A word in at least half the rows (<c>2n ≥ N</c>; "the", "of", "what") has the floored IDF: it adds about a
    /// millionth of a point to a row's score, yet makes FTS5 score thousands of rows. Dropped.</item>
    /// <item>When some word is in at most <see cref="CommonShare"/> of the rows, every word in more than that is dropped
    /// too (with the default share, one half, this is the cut above). At a quarter: such a word's IDF is below
    /// log 3 ≈ 1.1 (0.04 at 49 %), against 2–9 for the distinctive words of a question, so it reorders little among rows
    /// that have those, while it can add up to half the index to the rows scored.</item>
    /// <item>When every word found is common, the rarest one is kept (the first of equals), so that the query still
    /// finds its rows, ranked by that word's term frequency.</item>
    /// <item>Without a row count (<paramref name="rows"/> 0 or less) every word is kept.</item>
    /// </list>
    /// Rows that match a kept word keep nearly their order; rows that match only dropped words, the low-scored tail of the
    /// list, are no longer returned.
    /// </summary>
    public static IReadOnlyList<string> SelectTerms(IReadOnlyList<string> tokens, IReadOnlyList<long> frequencies, long rows) =>
        SelectTerms(tokens, frequencies, rows, CommonShare);

    /// <summary><see cref="SelectTerms(IReadOnlyList{string}, IReadOnlyList{long}, long)"/> with another share for the
    /// second cut (one half or more: only the half-the-rows cut).</summary>
    internal static IReadOnlyList<string> SelectTerms(IReadOnlyList<string> tokens, IReadOnlyList<long> frequencies, long rows, double commonShare)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(frequencies);
        ArgumentOutOfRangeException.ThrowIfNotEqual(frequencies.Count, tokens.Count, nameof(frequencies));
        if (rows <= 0)
        {
            return tokens;
        }
        var common = Math.Min(commonShare * rows, (rows - 1) / 2.0); // 2n < N keeps a word: n ≤ (N - 1) / 2
        var rare = false;
        var rarest = -1;
        var total = 0L;
        for (var i = 0; i < tokens.Count; i++)
        {
            var frequency = frequencies[i];
            if (frequency > 0)
            {
                total += frequency;
                rare |= frequency <= common;
                if (rarest < 0 || frequency < frequencies[rarest])
                {
                    rarest = i;
                }
            }
        }
        var limit = total <= ExactUpToRows ? double.PositiveInfinity : rare ? common : (rows - 1) / 2.0;
        var kept = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (frequencies[i] > 0 && frequencies[i] <= limit)
            {
                kept.Add(tokens[i]);
            }
        }
        if (kept.Count == 0 && rarest >= 0)
        {
            kept.Add(tokens[rarest]);
        }
        return kept;
    }

    /// <summary>Letters, numbers and combining marks (a run of marks alone has an empty <see cref="Key"/> and is dropped).</summary>
    private static bool IsWordRune(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || Rune.IsNumber(rune) || Rune.GetUnicodeCategory(rune) is
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>The word lower-cased, without diacritics (decomposed, marks dropped): its identity for de-duplication.</summary>
    private static string Key(string token)
    {
        var key = new StringBuilder(token.Length);
        foreach (var rune in token.Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
            {
                key.Append(Rune.ToLowerInvariant(rune).ToString());
            }
        }
        return key.ToString();
    }
}
