using System.Globalization;
using System.Text;

namespace AspireMmRag.VectorStore;

/// <summary>
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
    /// An SQLite FTS5 MATCH expression for <paramref name="text"/>: each word of <see cref="Tokens"/> as a quoted string
    /// (so no FTS5 syntax can reach the parser; a word holds no quote, and one would be doubled), joined with <c>OR</c>.
    /// Null when the text has no word: FTS5 rejects an empty MATCH, so the caller must skip the query. Bind the result as
    /// a parameter.
    /// </summary>
    public static string? ToFts5Match(string text)
    {
        var tokens = Tokens(text);
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
