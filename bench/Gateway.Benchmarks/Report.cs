using System.Globalization;
using System.Text;
using AspireMmRag.Benchmarks;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// The figures of one run, printed as they come and written as markdown into the "Gateway" section of docs/benchmarks.md
/// (between <c>&lt;!-- bench:gateway --&gt;</c> markers). The quick and the full run each keep their own block inside the
/// section, so a quick run never overwrites the full figures; text in the section outside the blocks is kept.
/// </summary>
public sealed class Report(BenchSettings settings)
{
    private const string Section = "gateway";
    private readonly MarkdownLog _markdown = new();

    public string DocumentPath { get; } = Repository.BenchmarksDocument();

    public string Command => "dotnet run -c Release --project bench/Gateway.Benchmarks" +
        (settings.Arguments.Count > 0 ? " -- " + string.Join(' ', settings.Arguments) : "");

    public void Heading(string text) => _markdown.Heading(text);

    public void Line(string text) => _markdown.Line(text);

    public void Paragraph(string text) => _markdown.Paragraph(text);

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows) => _markdown.Table(header, rows);

    /// <summary>Replaces this mode's block in the section, keeping everything else in the document.</summary>
    public void Write(string header)
    {
        var blockStart = $"<!-- gateway:{settings.Mode} -->";
        var blockEnd = $"<!-- /gateway:{settings.Mode} -->";
        var block = new StringBuilder()
            .AppendLine(blockStart)
            .AppendLine(CultureInfo.InvariantCulture, $"### {settings.Mode}")
            .AppendLine()
            .Append(header.TrimEnd()).AppendLine()
            .Append(_markdown.Markdown.TrimEnd()).AppendLine()
            .AppendLine(blockEnd)
            .ToString();

        var text = BenchmarksDocument.Read(DocumentPath);
        if (BenchmarksDocument.FindSection(text, Section) is not { } section)
        {
            text = text.TrimEnd() + "\n\n" + BenchmarksDocument.SectionStart(Section) + "\n## Gateway\n\n" + block + BenchmarksDocument.SectionEnd(Section) + "\n";
        }
        else
        {
            var (start, end) = section;
            var oldStart = text.IndexOf(blockStart, start, StringComparison.Ordinal);
            var oldEnd = oldStart >= 0 ? text.IndexOf(blockEnd, oldStart, StringComparison.Ordinal) : -1;
            if (oldStart >= 0 && oldEnd > oldStart && oldEnd < end)
            {
                var after = oldEnd + blockEnd.Length;
                if (after < text.Length && text[after] == '\n')
                {
                    after++;
                }
                text = text[..oldStart] + block + text[after..];
            }
            else
            {
                // The quick block goes before the full one; the full block last.
                var full = text.IndexOf("<!-- gateway:full -->", start, StringComparison.Ordinal);
                var at = settings.Quick && full >= 0 && full < end ? full : end;
                text = text[..at] + block + "\n" + text[at..];
            }
        }
        File.WriteAllText(DocumentPath, text);
        Console.WriteLine($"Updated the {settings.Mode} block of the Gateway section in {DocumentPath}");
    }
}
