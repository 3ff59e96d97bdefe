using AspireMmRag.Crawler.Content;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace AspireMmRag.Crawler.Folders;

/// <summary>.pdf (PdfPig): one section per page with text ("Page 3"), in content order; the title from the PDF's
/// document information, else the file name. Images inside PDFs are not extracted.</summary>
public sealed class PdfDocumentReader : IDocumentReader
{
    public IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".pdf" };

    public ParsedDocument Read(string fileName, byte[] content)
    {
        using var pdf = PdfDocument.Open(content);
        var declared = pdf.Information.Title;
        var title = string.IsNullOrWhiteSpace(declared) ? ImageCaptions.FromFileName(fileName) : TextCleanup.OneLine(declared);
        var outline = new SectionOutlineBuilder(title);
        foreach (var page in pdf.GetPages())
        {
            outline.StartSection(2, $"Page {page.Number}");
            outline.AppendText(ContentOrderTextExtractor.GetText(page));
        }
        return new ParsedDocument(title, outline.Build(), []);
    }
}
