using System.Text.RegularExpressions;

namespace AspireMmRag.Crawler.Content;

/// <summary>Whitespace clean-up shared by the readers: trimmed lines, at most one blank line in a row, no trailing space.</summary>
public static partial class TextCleanup
{
    public static string Normalize(string text)
    {
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Select(line => SpacesRegex().Replace(line, " ").Trim());
        return BlankLinesRegex().Replace(string.Join('\n', lines), "\n\n").Trim();
    }

    /// <summary>All whitespace runs to one space (for captions and headings).</summary>
    public static string OneLine(string text) => WhitespaceRegex().Replace(text, " ").Trim();

    [GeneratedRegex(@"[ \t\f\v\u00A0]+")]
    private static partial Regex SpacesRegex();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLinesRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();
}
