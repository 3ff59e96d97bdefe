using System.Text;
using System.Text.RegularExpressions;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Chunking;

/// <summary>
/// Sentence-aware chunking within sections: sentences are packed into chunks up to <see cref="ChunkingOptions.MaxTokens"/>,
/// the last sentences of a chunk (up to <see cref="ChunkingOptions.OverlapTokens"/>) start the next one, chunks never span
/// sections, and a sentence longer than the budget is cut at word boundaries. Each chunk keeps its section path.
/// </summary>
public sealed partial class TextChunker(IOptions<ChunkingOptions> options)
{
    // A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace, or at a blank line.
    [GeneratedRegex(@"(?<=[.!?][""'”’)\]]*)\s+(?=[\p{Lu}\p{N}""'“‘(\[])|\n\s*\n", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"[ \t\f\v\r\n]+")]
    private static partial Regex Whitespace();

    public IReadOnlyList<TextChunk> Chunk(string title, IReadOnlyList<DocumentSection> sections)
    {
        var settings = options.Value;
        if (settings.MaxTokens < 16 || settings.OverlapTokens < 0 || settings.OverlapTokens >= settings.MaxTokens / 2)
        {
            throw new InvalidOperationException("Chunking: MaxTokens must be >= 16 and OverlapTokens between 0 and MaxTokens/2.");
        }

        var chunks = new List<TextChunk>();
        foreach (var section in sections)
        {
            var heading = settings.IncludeHeading ? HeadingFor(title, section) : "";
            var budget = settings.MaxTokens - TokenEstimator.Estimate(heading);
            if (budget < settings.MaxTokens / 2)
            {
                heading = "";
                budget = settings.MaxTokens;
            }

            var sentences = SplitSentences(section.Text, budget);
            var current = new List<(string Text, int Tokens)>();
            var tokens = 0;
            foreach (var sentence in sentences)
            {
                if (tokens + sentence.Tokens > budget && current.Count > 0)
                {
                    chunks.Add(Build(chunks.Count, section.Path, heading, current));
                    (current, tokens) = Overlap(current, settings.OverlapTokens, budget - sentence.Tokens);
                }
                current.Add(sentence);
                tokens += sentence.Tokens;
            }
            if (current.Count > 0)
            {
                chunks.Add(Build(chunks.Count, section.Path, heading, current));
            }
        }
        return chunks;
    }

    private static string HeadingFor(string title, DocumentSection section) =>
        section.Path == title || string.IsNullOrWhiteSpace(section.Path) ? $"{title}\n" : $"{title} › {section.Path}\n";

    private static TextChunk Build(int index, string section, string heading, List<(string Text, int Tokens)> sentences)
    {
        var text = new StringBuilder(heading);
        text.AppendJoin(' ', sentences.Select(s => s.Text));
        var value = text.ToString();
        return new TextChunk(index, section, value, TokenEstimator.Estimate(value));
    }

    /// <summary>The trailing sentences of a chunk, up to the overlap budget, that open the next chunk.</summary>
    private static (List<(string Text, int Tokens)>, int) Overlap(List<(string Text, int Tokens)> previous, int overlapTokens, int room)
    {
        var carried = new List<(string Text, int Tokens)>();
        var tokens = 0;
        for (var i = previous.Count - 1; i >= 1; i--) // never carry the whole previous chunk
        {
            if (tokens + previous[i].Tokens > Math.Min(overlapTokens, room))
            {
                break;
            }
            carried.Insert(0, previous[i]);
            tokens += previous[i].Tokens;
        }
        return (carried, tokens);
    }

    private static IEnumerable<(string Text, int Tokens)> SplitSentences(string text, int budget)
    {
        foreach (var raw in SentenceBoundary().Split(text))
        {
            var sentence = Whitespace().Replace(raw, " ").Trim();
            if (sentence.Length == 0)
            {
                continue;
            }
            var tokens = TokenEstimator.Estimate(sentence);
            if (tokens <= budget)
            {
                yield return (sentence, tokens);
                continue;
            }

            // An over-long "sentence" (a list, a table flattened to text): cut at word boundaries.
            var piece = new StringBuilder();
            var pieceTokens = 0;
            foreach (var word in sentence.Split(' '))
            {
                var wordTokens = TokenEstimator.Estimate(word);
                if (pieceTokens + wordTokens > budget && piece.Length > 0)
                {
                    yield return (piece.ToString(), pieceTokens);
                    piece.Clear();
                    pieceTokens = 0;
                }
                if (wordTokens > budget)
                {
                    // A single absurd "word" (e.g. base64): hard-cut by characters.
                    foreach (var slice in word.Chunk(budget * 4))
                    {
                        var sliceText = new string(slice);
                        yield return (sliceText, TokenEstimator.Estimate(sliceText));
                    }
                    continue;
                }
                piece.Append(piece.Length > 0 ? " " : "").Append(word);
                pieceTokens += wordTokens;
            }
            if (piece.Length > 0)
            {
                yield return (piece.ToString(), pieceTokens);
            }
        }
    }
}
