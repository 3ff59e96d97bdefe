using AspireMmRag.Crawler.Content;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Folders;

/// <summary>
/// Title and sections from a document's tokens. A first heading that is an h1 with no text before it is the document's title
/// (its text becomes the lead section, titled after it); the title otherwise comes from the document's own metadata
/// (HTML &lt;title&gt;, front matter, PDF info) or, failing that, from the file name. Each image token becomes an
/// <see cref="ImageReference"/> whose <see cref="ImageReference.Section"/> is the path of the section it appears in (the
/// nearest parent with text when its own section has none; "" in the lead section).
/// </summary>
public static class DocumentOutline
{
    public static ParsedDocument Assemble(IReadOnlyList<DocumentToken> tokens, string? declaredTitle, string fileName)
    {
        var firstHeading = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].IsHeading)
            {
                firstHeading = i;
                break;
            }
        }
        var titleHeading = firstHeading >= 0 && tokens[firstHeading].HeadingLevel == 1
            && tokens.Take(firstHeading).All(token => string.IsNullOrWhiteSpace(token.Text))
            ? firstHeading
            : -1;

        var title = !string.IsNullOrWhiteSpace(declaredTitle) ? TextCleanup.OneLine(declaredTitle)
            : titleHeading >= 0 && tokens[titleHeading].Text.Length > 0 ? tokens[titleHeading].Text
            : ImageCaptions.FromFileName(fileName);

        var outline = new SectionOutlineBuilder(title);
        var images = new List<(ImageReference Image, SectionPlacement Placement)>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i == titleHeading)
            {
                continue;
            }
            if (tokens[i].Image is { } image)
            {
                images.Add((image, outline.Placement()));
            }
            else if (tokens[i].IsHeading)
            {
                outline.StartSection(tokens[i].HeadingLevel, tokens[i].Text);
            }
            else
            {
                outline.AppendText(tokens[i].Text);
            }
        }
        var sections = outline.Build();
        return new ParsedDocument(title, sections, images.Select(pair => pair.Image with { Section = pair.Placement.SectionIn(sections) }).ToArray());
    }
}
