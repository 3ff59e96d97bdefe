using System.Text.RegularExpressions;
using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Answering;

/// <summary>What an answer cites: passage numbers and image ids, distinct, in the order they first appear.</summary>
public sealed record CitationUse(IReadOnlyList<int> Citations, IReadOnlyList<string> ImageIds)
{
    public static CitationUse None { get; } = new([], []);
}

/// <summary>Finds the citations in an answer: <c>[2]</c>, <c>[1, 3]</c>, <c>[1][3]</c>, <c>[2-4]</c>, and images <c>[I1]</c>
/// (or <c>[i1]</c>, also inside a list such as <c>[2, I1]</c>). Numbers that were not given to the model (0, above the
/// number of passages or images) are ignored.</summary>
public static partial class CitationParser
{
    /// <summary>A range longer than this (<c>[1-500]</c>) is not a citation.</summary>
    private const int MaxRangeLength = 20;

    public static CitationUse Parse(string answer, IReadOnlyList<Citation> passages, IReadOnlyList<ImageHit> images) =>
        Parse(answer, passages.Count, images);

    public static CitationUse Parse(string answer, int passageCount, IReadOnlyList<ImageHit> images)
    {
        if (string.IsNullOrEmpty(answer))
        {
            return CitationUse.None;
        }

        var citations = new List<int>();
        var seenCitations = new HashSet<int>();
        var imageIds = new List<string>();
        var seenImages = new HashSet<string>(StringComparer.Ordinal);

        foreach (Match bracket in BracketPattern().Matches(answer))
        {
            foreach (var item in bracket.Groups["items"].Value.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var match = ItemPattern().Match(item);
                if (!match.Success)
                {
                    continue;
                }
                if (match.Groups["image"].Success)
                {
                    if (int.TryParse(match.Groups["image"].Value, out var imageNumber) && imageNumber >= 1 && imageNumber <= images.Count
                        && seenImages.Add(images[imageNumber - 1].ImageId))
                    {
                        imageIds.Add(images[imageNumber - 1].ImageId);
                    }
                    continue;
                }
                if (!int.TryParse(match.Groups["from"].Value, out var from))
                {
                    continue;
                }
                var to = from;
                if (match.Groups["to"].Success && (!int.TryParse(match.Groups["to"].Value, out to) || to < from || to - from >= MaxRangeLength))
                {
                    continue;
                }
                for (var number = from; number <= to; number++)
                {
                    if (number >= 1 && number <= passageCount && seenCitations.Add(number))
                    {
                        citations.Add(number);
                    }
                }
            }
        }
        return new CitationUse(citations, imageIds);
    }

    // A bracket holding only citation items: numbers, I-numbers, ranges, separated by commas or semicolons.
    [GeneratedRegex(@"\[\s*(?<items>I?\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?(?:\s*[,;]\s*I?\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?)*)\s*\]",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BracketPattern();

    [GeneratedRegex(@"^(?:I\s*(?<image>\d{1,4})|(?<from>\d{1,4})(?:\s*[-–]\s*(?<to>\d{1,4}))?)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ItemPattern();
}
