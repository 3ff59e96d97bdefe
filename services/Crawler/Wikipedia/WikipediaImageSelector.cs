using System.Text.RegularExpressions;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Media;

namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>
/// Keeps the photos and pictures of a page: .jpg/.jpeg/.png/.webp files (by name and by MIME type), not svg, not icons (a name
/// with "icon", or smaller than the minimum dimension), with a URL; at most <c>max</c> of them, in the API's order.
/// </summary>
public static partial class WikipediaImageSelector
{
    private static readonly HashSet<string> MimeTypes = new(StringComparer.OrdinalIgnoreCase) { "image/jpeg", "image/png", "image/webp" };

    public static WikipediaImageSelection Select(IEnumerable<WikipediaImageCandidate> candidates, int max, int minDimension)
    {
        var selected = new List<WikipediaImageCandidate>();
        var skipped = new List<(WikipediaImageCandidate, string)>();
        foreach (var candidate in candidates)
        {
            var reason = SkipReason(candidate, minDimension) ?? (selected.Count >= max ? "limit" : null);
            if (reason is null)
            {
                selected.Add(candidate);
            }
            else
            {
                skipped.Add((candidate, reason));
            }
        }
        return new WikipediaImageSelection(selected, skipped);
    }

    private static string? SkipReason(WikipediaImageCandidate candidate, int minDimension)
    {
        var extension = Path.GetExtension(candidate.FileTitle);
        if (extension.Equals(".svg", StringComparison.OrdinalIgnoreCase) || candidate.Mime.Contains("svg", StringComparison.OrdinalIgnoreCase))
        {
            return "svg";
        }
        if (!ImageFormat.Extensions.Contains(extension) || !MimeTypes.Contains(candidate.Mime))
        {
            return "unsupported-type";
        }
        if (IconRegex().IsMatch(candidate.FileTitle) || (candidate.Width > 0 && candidate.Width < minDimension) || (candidate.Height > 0 && candidate.Height < minDimension))
        {
            return "icon";
        }
        if (string.IsNullOrEmpty(candidate.DownloadUrl))
        {
            return "no-url";
        }
        return null;
    }

    [GeneratedRegex(@"(^|[^a-z])icons?([^a-z]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex IconRegex();
}
