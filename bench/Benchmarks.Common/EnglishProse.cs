using System.Globalization;
using System.Text;

namespace AspireMmRag.Benchmarks;

/// <summary>English-like prose from fixed word lists and a seeded <see cref="Random"/>: the texts the benchmarks embed.</summary>
public static class EnglishProse
{
    public static readonly string[] Adjectives =
    [
        "small", "careful", "detailed", "early", "remarkable", "local", "significant", "unusual", "reliable", "modern", "ancient",
        "complex", "gradual", "seasonal", "independent", "expensive", "practical", "northern", "experimental", "annual", "fragile",
    ];

    public static readonly string[] Verbs =
    [
        "describes", "improves", "requires", "reduces", "measures", "supports", "explains", "changes", "protects", "reveals",
        "combines", "affects", "replaces", "records", "estimates", "follows", "connects", "predicts", "limits", "produces",
    ];

    public static readonly string[] Connectives =
    [
        "However,", "In practice,", "For example,", "As a result,", "According to the report,", "During the following years,",
        "In most cases,", "Surprisingly,", "At the same time,", "Over the last decade,",
    ];

    public static readonly string[] Fillers =
    [
        "the", "a", "of", "and", "in", "with", "for", "on", "by", "its", "their", "this", "each", "several", "many", "most",
        "between", "after", "before", "through", "without", "because", "while", "although", "which", "that",
    ];

    /// <summary>
    /// Sentences on <paramref name="topic"/> until about <paramref name="targetWords"/> words, with the odd number and
    /// rarer word; with <paramref name="commas"/>, a comma in the middle of about half the longer sentences.
    /// </summary>
    public static string Sentences(Random random, string[] topic, int targetWords, bool commas)
    {
        var text = new StringBuilder();
        var words = 0;
        while (words < targetWords)
        {
            var sentence = new List<string>();
            if (random.Next(3) == 0)
            {
                sentence.AddRange(Connectives[random.Next(Connectives.Length)].Split(' '));
            }
            sentence.Add("the");
            sentence.Add(Adjectives[random.Next(Adjectives.Length)]);
            sentence.Add(topic[random.Next(topic.Length)]);
            sentence.Add(Verbs[random.Next(Verbs.Length)]);
            var length = random.Next(6, 16);
            while (sentence.Count < length)
            {
                sentence.Add(random.Next(10) switch
                {
                    < 4 => Fillers[random.Next(Fillers.Length)],
                    < 6 => topic[random.Next(topic.Length)],
                    < 8 => Adjectives[random.Next(Adjectives.Length)],
                    8 => random.Next(2) == 0 ? random.Next(1850, 2025).ToString(CultureInfo.InvariantCulture) : $"{random.Next(2, 99)}%",
                    _ => Verbs[random.Next(Verbs.Length)],
                });
            }
            sentence = [.. sentence.Take(Math.Max(3, Math.Min(sentence.Count, targetWords - words)))];
            if (commas && sentence.Count > 7 && random.Next(2) == 0)
            {
                sentence[sentence.Count / 2] += ",";
            }
            var line = string.Join(' ', sentence);
            text.Append(char.ToUpperInvariant(line[0])).Append(line.AsSpan(1)).Append(". ");
            words += sentence.Count;
        }
        return text.ToString().TrimEnd();
    }
}
