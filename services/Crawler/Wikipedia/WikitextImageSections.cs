using System.Text.RegularExpressions;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>
/// The section each file of a page appears in, from the page's wikitext: the first line where the file's name stands as a
/// file reference (<c>[[File:Name.jpg|…]]</c>, a gallery line <c>Name.jpg|…</c>, a template parameter <c>| image = Name.jpg</c>),
/// under the wikitext's <c>== Heading ==</c> lines. Headings lose their markup (comments, refs, templates, links, bold and
/// italic, tags) so their paths are those of the extract's sections; a path that is not one of <c>sections</c> falls back to
/// its nearest parent that is. Names compare with spaces and underscores alike and ignoring case. A file in the lead, not in
/// the wikitext (e.g. added by a template) or under no section of the extract gets "".
/// </summary>
public static partial class WikitextImageSections
{
    /// <summary>Section path by file title ("File:Helsinki Cathedral.jpg"), for every title in <paramref name="fileTitles"/>.</summary>
    public static IReadOnlyDictionary<string, string> Find(string pageTitle, string wikitext, IEnumerable<string> fileTitles,
        IReadOnlyList<DocumentSection> sections)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<(string FileTitle, string Name)>();
        foreach (var fileTitle in fileTitles)
        {
            if (result.TryAdd(fileTitle, "") && Normalize(FileName(fileTitle)) is { Length: > 0 } name)
            {
                pending.Add((fileTitle, name));
            }
        }

        var outline = new SectionOutlineBuilder(pageTitle);
        foreach (var line in CommentRegex().Replace(wikitext, "").Replace("\r\n", "\n").Split('\n'))
        {
            if (pending.Count == 0)
            {
                break;
            }
            if (HeadingRegex().Match(line) is { Success: true } heading)
            {
                outline.StartSection(heading.Groups["marks"].Length, HeadingText(heading.Groups["title"].Value));
                continue;
            }
            var normalized = Normalize(line);
            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (References(normalized, pending[i].Name))
                {
                    result[pending[i].FileTitle] = outline.Placement().SectionIn(sections);
                    pending.RemoveAt(i);
                }
            }
        }
        return result;
    }

    /// <summary>The title of a heading as the plain-text extract shows it.</summary>
    public static string HeadingText(string wikitext)
    {
        var text = RefRegex().Replace(wikitext, "");
        string previous;
        do
        {
            previous = text;
            text = TemplateRegex().Replace(text, "");
        }
        while (text != previous);
        text = LinkRegex().Replace(text, "${text}");
        text = ExternalLinkRegex().Replace(text, "${text}");
        text = text.Replace("'''", "", StringComparison.Ordinal).Replace("''", "", StringComparison.Ordinal);
        return HtmlText.Strip(text);
    }

    /// <summary>"File:Helsinki Cathedral.jpg" → "Helsinki Cathedral.jpg" (any namespace prefix).</summary>
    private static string FileName(string fileTitle) => fileTitle.IndexOf(':', StringComparison.Ordinal) is >= 0 and var colon ? fileTitle[(colon + 1)..] : fileTitle;

    private static string Normalize(string text) => SpacesRegex().Replace(text, " ").Trim();

    /// <summary>Whether <paramref name="name"/> stands in <paramref name="line"/> as a whole file name: after the start, a
    /// namespace colon, '|', '=', '[' or '&gt;', and before the end, '|', ']', '}' or '&lt;' (spaces between allowed).</summary>
    private static bool References(string line, string name)
    {
        for (var index = line.IndexOf(name, StringComparison.OrdinalIgnoreCase); index >= 0;
             index = line.IndexOf(name, index + 1, StringComparison.OrdinalIgnoreCase))
        {
            var before = index - 1;
            while (before >= 0 && line[before] == ' ')
            {
                before--;
            }
            var after = index + name.Length;
            while (after < line.Length && line[after] == ' ')
            {
                after++;
            }
            if ((before < 0 || line[before] is ':' or '|' or '=' or '[' or '>') && (after >= line.Length || line[after] is '|' or ']' or '}' or '<'))
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"^\s*(?<marks>={2,6})\s*(?<title>[^=].*?)\s*\k<marks>\s*$")]
    private static partial Regex HeadingRegex();

    [GeneratedRegex(@"<!--.*?(-->|$)", RegexOptions.Singleline)]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex RefRegex();

    [GeneratedRegex(@"\{\{[^{}]*\}\}")]
    private static partial Regex TemplateRegex();

    [GeneratedRegex(@"\[\[(?:[^|\[\]]*\|)?(?<text>[^\[\]]*)\]\]")]
    private static partial Regex LinkRegex();

    [GeneratedRegex(@"\[(?:https?:)?//[^\s\]]+\s*(?<text>[^\]]*)\]")]
    private static partial Regex ExternalLinkRegex();

    [GeneratedRegex(@"[ _\t]+")]
    private static partial Regex SpacesRegex();
}
