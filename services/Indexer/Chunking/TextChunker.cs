using System.Text;
using System.Text.RegularExpressions;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Chunking;

/// <summary>
/// Sentence-aware chunking within sections, counted in the passage model's WordPiece tokens (<see cref="PassageTokenizer"/>):
/// sentences are packed into chunks of at most <see cref="ChunkingOptions.MaxTokens"/> tokens with the heading the chunk
/// starts with, the last sentences of a chunk (up to <see cref="ChunkingOptions.OverlapTokens"/>) start the next one, chunks
/// never span sections, a sentence longer than the budget is cut at word boundaries and a word longer than it (a CJK run,
/// base64...) at the longest prefix that fits. Sentences end at . ! ? before whitespace and a capital, at 。！？ and at
/// blank lines. Each chunk keeps its section path.
/// </summary>
public sealed partial class TextChunker(IOptions<ChunkingOptions> options, PassageTokenizer tokenizer)
{
    // A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace, after 。！？, or at a blank line.
    [GeneratedRegex(@"(?<=[.!?][""'”’)\]]*)\s+(?=[\p{Lu}\p{N}""'“‘(\[])|(?<=[。！？])\s*|\n\s*\n", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"[ \t\f\v\r\n]+")]
    private static partial Regex Whitespace();

    /// <summary>A chunker with the tokenizer of <paramref name="options"/>' <see cref="ChunkingOptions.Vocabulary"/>.</summary>
    public TextChunker(IOptions<ChunkingOptions> options) : this(options, PassageTokenizer.For(options.Value))
    {
    }

    public IReadOnlyList<TextChunk> Chunk(string title, IReadOnlyList<DocumentSection> sections)
    {
        var settings = options.Value;
        if (settings.MaxTokens < 16 || settings.MaxTokens > ChunkingOptions.ModelTokenLimit
            || settings.OverlapTokens < 0 || settings.OverlapTokens >= settings.MaxTokens / 2)
        {
            throw new InvalidOperationException(
                $"Chunking: MaxTokens must be between 16 and {ChunkingOptions.ModelTokenLimit} and OverlapTokens between 0 and MaxTokens/2.");
        }

        var chunks = new List<TextChunk>();
        foreach (var section in sections)
        {
            var heading = settings.IncludeHeading ? HeadingFor(title, section) : "";
            var budget = settings.MaxTokens - tokenizer.Count(heading);
            if (budget < settings.MaxTokens / 2)
            {
                heading = "";
                budget = settings.MaxTokens;
            }

            var current = new List<(string Text, int Tokens)>();
            var tokens = 0;
            foreach (var sentence in SplitSentences(section.Text, budget))
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

    /// <summary>The heading and the sentences joined by spaces; tokens do not cross whitespace, so the count is their sum.</summary>
    private TextChunk Build(int index, string section, string heading, List<(string Text, int Tokens)> sentences)
    {
        var text = new StringBuilder(heading);
        text.AppendJoin(' ', sentences.Select(s => s.Text));
        var value = text.ToString();
        return new TextChunk(index, section, value, tokenizer.Count(value));
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

    private IEnumerable<(string Text, int Tokens)> SplitSentences(string text, int budget)
    {
        foreach (var raw in SentenceBoundary().Split(text))
        {
            var sentence = Whitespace().Replace(raw, " ").Trim();
            if (sentence.Length == 0)
            {
                continue;
            }
            var tokens = tokenizer.Count(sentence);
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
                var wordTokens = tokenizer.Count(word);
                if (pieceTokens + wordTokens > budget && piece.Length > 0)
                {
                    yield return (piece.ToString(), pieceTokens);
                    piece.Clear();
                    pieceTokens = 0;
                }
                if (wordTokens > budget)
                {
                    foreach (var slice in Slices(word, budget))
                    {
                        yield return slice;
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

    /// <summary>A "word" with more tokens than the budget (a CJK run, base64...), cut into the longest prefixes that fit.</summary>
    private IEnumerable<(string Text, int Tokens)> Slices(string word, int budget)
    {
        var rest = word;
        while (rest.Length > 0)
        {
            var length = tokenizer.PrefixLength(rest, budget);
            var slice = rest[..length];
            rest = rest[length..];
            yield return (slice, tokenizer.Count(slice));
        }
    }
}
