using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using AspireMmRag.Crawler.Content;

namespace AspireMmRag.Crawler.Folders;

/// <summary>
/// .html/.htm (parsed with AngleSharp): sections at h1–h6, text of the body without scripts and styles, block elements on
/// their own lines; the title from &lt;title&gt; (else a leading h1, else the file name). <c>&lt;img&gt;</c> become references
/// captioned by their alt text, or by the figure's caption when the alt is empty, placed in the section they appear in.
/// </summary>
public sealed class HtmlDocumentReader : IDocumentReader
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head",
    };

    /// <summary>Elements that start and end a paragraph (a blank line in the text).</summary>
    private static readonly HashSet<string> Paragraphs = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset", "figure", "footer", "form", "header",
        "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
    };

    /// <summary>Elements that sit on their own line.</summary>
    private static readonly HashSet<string> Lines = new(StringComparer.OrdinalIgnoreCase)
    {
        "dd", "dt", "figcaption", "li", "summary", "tr",
    };

    public IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".html", ".htm" };

    public ParsedDocument Read(string fileName, byte[] content)
    {
        var parser = new HtmlParser();
        using var document = parser.ParseDocument(TextDecoding.Decode(content));
        var tokens = new List<DocumentToken>();
        var text = new StringBuilder();
        if (document.Body is { } body)
        {
            Walk(body, tokens, text);
        }
        FlushText(tokens, text);

        return DocumentOutline.Assemble(tokens, document.Title, fileName);
    }

    private static void Walk(INode node, List<DocumentToken> tokens, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText textNode:
                    text.Append(CollapseWhitespace(textNode.Data));
                    break;
                case IElement element when Skipped.Contains(element.LocalName):
                    break;
                case IElement element when HeadingLevel(element) is > 0 and var level:
                    FlushText(tokens, text);
                    var heading = TextCleanup.OneLine(element.TextContent);
                    if (heading.Length > 0)
                    {
                        tokens.Add(DocumentToken.Heading(level, heading));
                    }
                    break;
                case IHtmlImageElement image:
                    if (image.GetAttribute("src") is { Length: > 0 } source)
                    {
                        tokens.Add(DocumentToken.ForImage(new ImageReference(source, Caption(image))));
                    }
                    break;
                case IElement { LocalName: "br" }:
                    text.Append('\n');
                    break;
                case IElement element:
                    var breaks = Paragraphs.Contains(element.LocalName) ? 2 : Lines.Contains(element.LocalName) ? 1 : 0;
                    Break(text, breaks);
                    Walk(element, tokens, text);
                    Break(text, breaks);
                    break;
            }
        }
    }

    private static string Caption(IHtmlImageElement image)
    {
        var alt = TextCleanup.OneLine(image.AlternativeText ?? "");
        if (alt.Length > 0)
        {
            return alt;
        }
        var figcaption = image.Closest("figure")?.QuerySelector("figcaption");
        return figcaption is null ? "" : TextCleanup.OneLine(figcaption.TextContent);
    }

    private static int HeadingLevel(IElement element) => element.LocalName switch
    {
        "h1" => 1, "h2" => 2, "h3" => 3, "h4" => 4, "h5" => 5, "h6" => 6, _ => 0,
    };

    /// <summary>Ends the text so far with at least <paramref name="count"/> line breaks (spaces before them do not count).</summary>
    private static void Break(StringBuilder text, int count)
    {
        if (count == 0)
        {
            return;
        }
        var end = text.Length;
        while (end > 0 && text[end - 1] == ' ')
        {
            end--;
        }
        text.Length = end;
        var existing = 0;
        while (existing < count && existing < text.Length && text[text.Length - 1 - existing] == '\n')
        {
            existing++;
        }
        text.Append('\n', count - existing);
    }

    private static void FlushText(List<DocumentToken> tokens, StringBuilder text)
    {
        if (text.Length > 0)
        {
            tokens.Add(DocumentToken.Body(text.ToString()));
            text.Clear();
        }
    }

    private static string CollapseWhitespace(string data)
    {
        var builder = new StringBuilder(data.Length);
        var space = false;
        foreach (var c in data)
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        if (space)
        {
            builder.Append(' ');
        }
        return builder.ToString();
    }
}
