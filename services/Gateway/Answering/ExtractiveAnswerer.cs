using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Answering;

/// <summary>An answer made only of sentences quoted from the sources, each followed by its citation number.</summary>
/// <param name="Pieces">The answer in the order it is streamed: the introduction, then one piece per sentence.</param>
public sealed record ExtractiveAnswer(IReadOnlyList<string> Pieces, IReadOnlyList<int> UsedCitations)
{
    public string Text => string.Concat(Pieces);
}

/// <summary>The retrieval-only answer: the sentences of the passages that share the most (rare) terms with the question,
/// at most <see cref="MaxSentences"/> and <see cref="MaxSentencesPerPassage"/> per passage, in source order. Nothing is
/// written that is not in the sources except the introduction (which says that no language model was used).</summary>
public static partial class ExtractiveAnswerer
{
    public const int MaxSentences = 3;
    public const int MaxSentencesPerPassage = 2;

    /// <summary>Sentences shorter than this many words (headings, fragments) are not quoted.</summary>
    public const int MinSentenceWords = 4;

    /// <summary>A sentence scoring below this share of the best sentence's score is left out.</summary>
    public const double RelativeScoreThreshold = 0.5;

    public const string Introduction = "No language model was used for this answer. These sentences from the sources best match the question:\n\n";
    public const string NoMatch = "No language model was used for this answer, and the retrieved sources do not contain an answer to this question.";
    public const string NoSources = "No language model was used for this answer, and no sources were found for this question, so there is no answer.";

    public static ExtractiveAnswer Answer(string question, IReadOnlyList<Citation> passages)
    {
        if (passages.Count == 0)
        {
            return new ExtractiveAnswer([NoSources], []);
        }

        var questionTerms = Terms(question).ToHashSet(StringComparer.Ordinal);
        var candidates = new List<Candidate>();
        for (var p = 0; p < passages.Count; p++)
        {
            var position = 0;
            foreach (var sentence in SplitSentences(passages[p].Text))
            {
                if (CountWords(sentence) >= MinSentenceWords && !IsHeading(sentence, passages[p]))
                {
                    candidates.Add(new Candidate(p + 1, position++, sentence, Terms(sentence).ToHashSet(StringComparer.Ordinal)));
                }
            }
        }
        if (questionTerms.Count == 0 || candidates.Count == 0)
        {
            return new ExtractiveAnswer([NoMatch], []);
        }

        // Rarer terms weigh more: idf over the candidate sentences.
        var weights = questionTerms.ToDictionary(
            term => term,
            term => Math.Log(1 + (double)candidates.Count / Math.Max(1, candidates.Count(c => c.Terms.Contains(term)))),
            StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            candidate.Score = questionTerms.Where(candidate.Terms.Contains).Sum(term => weights[term]);
        }

        var best = candidates.Max(c => c.Score);
        if (best <= 0)
        {
            return new ExtractiveAnswer([NoMatch], []);
        }

        var chosen = new List<Candidate>();
        var perPassage = new Dictionary<int, int>();
        foreach (var candidate in candidates
            .Where(c => c.Score >= best * RelativeScoreThreshold)
            .OrderByDescending(c => c.Score).ThenBy(c => c.Number).ThenBy(c => c.Position))
        {
            var used = perPassage.GetValueOrDefault(candidate.Number);
            if (used >= MaxSentencesPerPassage)
            {
                continue;
            }
            perPassage[candidate.Number] = used + 1;
            chosen.Add(candidate);
            if (chosen.Count == MaxSentences)
            {
                break;
            }
        }

        var ordered = chosen.OrderBy(c => c.Number).ThenBy(c => c.Position).ToList();
        var pieces = new List<string> { Introduction };
        for (var i = 0; i < ordered.Count; i++)
        {
            pieces.Add($"{(i == 0 ? "" : " ")}{ordered[i].Sentence} [{ordered[i].Number}]");
        }
        return new ExtractiveAnswer(pieces, ordered.Select(c => c.Number).Distinct().ToList());
    }

    /// <summary>The heading line a passage starts with ("Title › Section"): where the text is, not what it says.</summary>
    private static bool IsHeading(string line, Citation passage) =>
        line == passage.Title || line == passage.Section || line == $"{passage.Title} › {passage.Section}";

    /// <summary>Sentences of a passage: lines first (headings and list items stay apart), then sentence ends (. ! ? …)
    /// followed by a capital or digit, except after common abbreviations and initials.</summary>
    public static IEnumerable<string> SplitSentences(string text)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var line = Whitespace().Replace(rawLine, " ").Trim().TrimStart('#', '*', '-', '>', ' ');
            if (line.Length == 0)
            {
                continue;
            }
            var start = 0;
            foreach (Match end in SentenceEnd().Matches(line))
            {
                if (IsAbbreviation(line, end.Index))
                {
                    continue;
                }
                var sentence = line[start..(end.Index + end.Length)].Trim();
                if (sentence.Length > 0)
                {
                    yield return sentence;
                }
                start = end.Index + end.Length;
            }
            if (start < line.Length && line[start..].Trim() is { Length: > 0 } rest)
            {
                yield return rest;
            }
        }
    }

    /// <summary>Content terms: lower case, accents removed, a light English stemming, stop words dropped.</summary>
    public static IEnumerable<string> Terms(string text)
    {
        foreach (Match word in Word().Matches(RemoveDiacritics(text.ToLowerInvariant())))
        {
            var value = word.Value.EndsWith("'s", StringComparison.Ordinal) || word.Value.EndsWith("’s", StringComparison.Ordinal)
                ? word.Value[..^2]
                : word.Value;
            var term = Stem(value);
            if (term.Length > 1 && !StopWords.Contains(term) && !StopWords.Contains(value))
            {
                yield return term;
            }
        }
    }

    private static string Stem(string word)
    {
        if (word.Length <= 3 || word.All(char.IsDigit))
        {
            return word;
        }
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^3] + "y";
        }
        if (word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal) ||
            word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal))
        {
            return word[..^2];
        }
        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal) &&
            !word.EndsWith("is", StringComparison.Ordinal))
        {
            return word[..^1];
        }
        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length > 5)
        {
            return word[..^3];
        }
        if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^2];
        }
        return word;
    }

    private static string RemoveDiacritics(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }
        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    private static bool IsAbbreviation(string line, int periodIndex)
    {
        if (line[periodIndex] != '.')
        {
            return false;
        }
        var wordStart = periodIndex;
        while (wordStart > 0 && (char.IsLetter(line[wordStart - 1]) || line[wordStart - 1] == '.'))
        {
            wordStart--;
        }
        var word = line[wordStart..periodIndex];
        return (word.Length == 1 && char.IsUpper(word[0])) || Abbreviations.Contains(word.TrimEnd('.'));
    }

    private static int CountWords(string sentence) => Word().Count(sentence);

    private sealed class Candidate(int number, int position, string sentence, HashSet<string> terms)
    {
        public int Number { get; } = number;
        public int Position { get; } = position;
        public string Sentence { get; } = sentence;
        public HashSet<string> Terms { get; } = terms;
        public double Score { get; set; }
    }

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "mt", "ft", "jr", "sr", "vs", "etc", "e.g", "i.e", "no", "nos", "inc", "ltd",
        "co", "corp", "approx", "ca", "cf", "fig", "vol", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "u.s", "u.k",
    };

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
        "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
        "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
        "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
        "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
        "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "whose",
        "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "tell", "please", "give", "list",
        "describe", "explain", "know", "many", "much", "thing", "things",
    };

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’][\p{L}]+)?", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    // The end of a sentence: . ! ? or … (with closing quotes or brackets), then a space and a capital letter, digit or opening quote.
    [GeneratedRegex(@"[.!?…]+[""'”’)\]]*(?=\s+[""'“‘(\[]?[\p{Lu}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceEnd();
}
