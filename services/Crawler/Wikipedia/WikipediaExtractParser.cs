using System.Text.RegularExpressions;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>
/// Splits a plain-text extract (<c>exsectionformat=wiki</c>) into sections at its <c>== Heading ==</c> lines: the number of
/// '=' is the level (2 for a top-level section); the text before the first heading is the lead, titled after the page.
/// </summary>
public static partial class WikipediaExtractParser
{
    public static IReadOnlyList<DocumentSection> Parse(string pageTitle, string extract)
    {
        var outline = new SectionOutlineBuilder(pageTitle);
        foreach (var line in extract.Replace("\r\n", "\n").Split('\n'))
        {
            var heading = HeadingRegex().Match(line);
            if (heading.Success)
            {
                outline.StartSection(heading.Groups["marks"].Length, TextCleanup.OneLine(heading.Groups["title"].Value));
            }
            else
            {
                outline.AppendText(line);
                outline.AppendText("\n");
            }
        }
        return outline.Build();
    }

    [GeneratedRegex(@"^\s*(?<marks>={2,6})\s*(?<title>[^=].*?)\s*\k<marks>\s*$")]
    private static partial Regex HeadingRegex();
}
