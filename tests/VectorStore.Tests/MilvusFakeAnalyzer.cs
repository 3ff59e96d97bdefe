using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// A small stand-in for Milvus 2.5's analyser and BM25: the <c>standard</c> tokenizer approximated as runs of letters and
/// digits; the <c>lowercase</c> filter as invariant lower-casing; <c>asciifolding</c> as dropping combining marks after
/// canonical decomposition ("Huế" → "hue"; letters without a decomposition such as "ø" or "đ" stay as they are, unlike
/// Lucene's folding). Only the filters the field declares apply, so a schema without <c>asciifolding</c> does not match
/// "Hue" to "Huế". Scores are Okapi BM25 with the index's k1 and b over every row of the collection (idf =
/// ln(1 + (N − n + 0.5)/(n + 0.5))); a query word given twice counts twice, as in Milvus's query vector.
/// </summary>
internal sealed class MilvusFakeAnalyzer
{
    private static readonly string[] KnownFilters = ["lowercase", "asciifolding"];

    private readonly bool _lowercase;
    private readonly bool _fold;

    private MilvusFakeAnalyzer(bool lowercase, bool fold)
    {
        _lowercase = lowercase;
        _fold = fold;
    }

    /// <summary>The analyser of <c>analyzer_params</c>; null params mean Milvus's default (standard + lowercase).</summary>
    public static MilvusFakeAnalyzer From(JsonNode? analyzerParams)
    {
        if (analyzerParams is null)
        {
            return new MilvusFakeAnalyzer(lowercase: true, fold: false);
        }
        var tokenizer = (string?)analyzerParams["tokenizer"];
        if (tokenizer != "standard")
        {
            throw new FormatException($"the fake supports only the standard tokenizer, not '{tokenizer}'");
        }
        var filters = analyzerParams["filter"]?.AsArray().Select(f => (string)f!).ToList() ?? [];
        foreach (var filter in filters.Where(f => !KnownFilters.Contains(f)))
        {
            throw new FormatException($"the fake does not model the analyzer filter '{filter}'");
        }
        return new MilvusFakeAnalyzer(filters.Contains("lowercase"), filters.Contains("asciifolding"));
    }

    public List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                current.Append(rune.ToString());
            }
            else if (!(_fold && IsMark(rune)))
            {
                Flush(tokens, current);
            }
        }
        Flush(tokens, current);
        return tokens;
    }

    /// <summary>BM25 of each document's tokens against the query's; documents without a shared token score 0.</summary>
    public static double[] Scores(IReadOnlyList<string> query, IReadOnlyList<List<string>> documents, double k1, double b)
    {
        var scores = new double[documents.Count];
        if (documents.Count == 0)
        {
            return scores;
        }
        var averageLength = Math.Max(documents.Average(d => d.Count), 1e-9);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            foreach (var term in document.Distinct(StringComparer.Ordinal))
            {
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            }
        }
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            foreach (var term in query)
            {
                var frequency = document.Count(t => t == term);
                if (frequency == 0)
                {
                    continue;
                }
                var n = documentFrequency[term];
                var idf = Math.Log(1 + (documents.Count - n + 0.5) / (n + 0.5));
                scores[i] += idf * frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * document.Count / averageLength));
            }
        }
        return scores;
    }

    private void Flush(List<string> tokens, StringBuilder current)
    {
        if (current.Length == 0)
        {
            return;
        }
        var token = current.ToString();
        current.Clear();
        if (_fold)
        {
            token = new string(token.Normalize(NormalizationForm.FormD).Where(c => !IsMark(c)).ToArray()).Normalize(NormalizationForm.FormC);
        }
        tokens.Add(_lowercase ? token.ToLowerInvariant() : token);
    }

    private static bool IsMark(Rune rune) => IsMark(Rune.GetUnicodeCategory(rune));

    private static bool IsMark(char c) => IsMark(CharUnicodeInfo.GetUnicodeCategory(c));

    private static bool IsMark(UnicodeCategory category) =>
        category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
