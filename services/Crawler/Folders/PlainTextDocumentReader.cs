using AspireMmRag.Crawler.Content;

namespace AspireMmRag.Crawler.Folders;

/// <summary>.txt: one section, titled after the file name.</summary>
public sealed class PlainTextDocumentReader : IDocumentReader
{
    public IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".txt" };

    public ParsedDocument Read(string fileName, byte[] content)
    {
        var title = ImageCaptions.FromFileName(fileName);
        var outline = new SectionOutlineBuilder(title);
        outline.AppendText(TextDecoding.Decode(content));
        return new ParsedDocument(title, outline.Build(), []);
    }
}
