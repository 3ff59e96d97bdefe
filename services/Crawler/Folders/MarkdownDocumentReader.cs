using System.Text.RegularExpressions;
using AspireMmRag.Crawler.Content;

namespace AspireMmRag.Crawler.Folders;

/// <summary>
/// .md/.markdown: sections at ATX (<c>## Heading</c>) and setext (underlined) headings outside fenced code; a <c>title:</c> in
/// YAML front matter names the document. <c>![alt](file)</c> images become references captioned by their alt text (the alt stays
/// in the text) placed in the section they appear in (an image in a heading belongs to that heading's section); links keep their text.
/// </summary>
public sealed partial class MarkdownDocumentReader : IDocumentReader
{
    public IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".md", ".markdown" };

    public ParsedDocument Read(string fileName, byte[] content)
    {
        var lines = TextDecoding.Decode(content).Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var (start, declaredTitle) = FrontMatter(lines);
        var tokens = new List<DocumentToken>();
        string? fence = null;

        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            if (FenceRegex().Match(line) is { Success: true } fenceMatch)
            {
                var marker = fenceMatch.Groups["fence"].Value;
                if (fence is null)
                {
                    fence = marker;
                }
                else if (marker[0] == fence[0] && marker.Length >= fence.Length)
                {
                    fence = null;
                }
                tokens.Add(DocumentToken.Body(line + "\n"));
                continue;
            }
            if (fence is not null)
            {
                tokens.Add(DocumentToken.Body(line + "\n"));
                continue;
            }

            var images = new List<ImageReference>();
            if (AtxHeadingRegex().Match(line) is { Success: true } atx)
            {
                var heading = TextCleanup.OneLine(Inline(atx.Groups["title"].Value, images));
                tokens.Add(heading.Length > 0 ? DocumentToken.Heading(atx.Groups["marks"].Length, heading) : DocumentToken.Body("\n"));
                tokens.AddRange(images.Select(DocumentToken.ForImage));
                continue;
            }
            if (!string.IsNullOrWhiteSpace(line) && i + 1 < lines.Length && SetextUnderlineRegex().Match(lines[i + 1]) is { Success: true } underline
                && !ListItemRegex().IsMatch(line) && !SetextUnderlineRegex().IsMatch(line))
            {
                tokens.Add(DocumentToken.Heading(underline.Groups["mark"].Value[0] == '=' ? 1 : 2, TextCleanup.OneLine(Inline(line, images))));
                tokens.AddRange(images.Select(DocumentToken.ForImage));
                i++;
                continue;
            }
            tokens.Add(DocumentToken.Body(Inline(line, images) + "\n"));
            tokens.AddRange(images.Select(DocumentToken.ForImage));
        }

        return DocumentOutline.Assemble(tokens, declaredTitle, fileName);
    }

    /// <summary>Images to references (their alt stays as text), links to their text.</summary>
    private static string Inline(string text, List<ImageReference> images)
    {
        var withoutImages = ImageRegex().Replace(text, match =>
        {
            var alt = TextCleanup.OneLine(match.Groups["alt"].Value);
            images.Add(new ImageReference(match.Groups["src"].Value, alt));
            return alt;
        });
        return LinkRegex().Replace(withoutImages, "${text}");
    }

    private static (int Start, string? Title) FrontMatter(string[] lines)
    {
        if (lines.Length == 0 || lines[0].Trim() != "---")
        {
            return (0, null);
        }
        string? title = null;
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim() is "---" or "...")
            {
                return (i + 1, title);
            }
            if (FrontMatterTitleRegex().Match(lines[i]) is { Success: true } match)
            {
                title = match.Groups["title"].Value.Trim().Trim('"', '\'');
            }
        }
        return (0, null); // no closing line: not front matter
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})")]
    private static partial Regex FenceRegex();

    [GeneratedRegex(@"^ {0,3}(?<marks>#{1,6})(?:[ \t]+(?<title>.*?))?(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex AtxHeadingRegex();

    [GeneratedRegex(@"^ {0,3}(?<mark>=+|-+)[ \t]*$")]
    private static partial Regex SetextUnderlineRegex();

    [GeneratedRegex(@"^ {0,3}([-*+]|\d+[.)])[ \t]")]
    private static partial Regex ListItemRegex();

    [GeneratedRegex(@"!\[(?<alt>[^\]]*)\]\(\s*<?(?<src>[^)\s>]+)>?(?:\s+(?:""[^""]*""|'[^']*'|\([^)]*\)))?\s*\)")]
    private static partial Regex ImageRegex();

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\([^)]*\)")]
    private static partial Regex LinkRegex();

    [GeneratedRegex(@"^title:\s*(?<title>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FrontMatterTitleRegex();
}
