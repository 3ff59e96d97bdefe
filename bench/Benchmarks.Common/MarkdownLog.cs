using System.Globalization;
using System.Text;

namespace AspireMmRag.Benchmarks;

/// <summary>
/// The figures of one run, printed to the console as they come and kept as markdown (bold headings, bullet lines,
/// paragraphs, tables) for a block of docs/benchmarks.md.
/// </summary>
/// <param name="blankLineBeforeEveryTable">
/// True: a blank line is always written before a table (even right after a heading, which already ends with one);
/// false: only where the markdown does not already end with a blank line.
/// </param>
public sealed class MarkdownLog(bool blankLineBeforeEveryTable = false)
{
    private readonly StringBuilder _markdown = new();

    /// <summary>The markdown so far.</summary>
    public string Markdown => _markdown.ToString();

    public void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine($"== {text}");
        _markdown.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"**{text}**").AppendLine();
    }

    public void Line(string text)
    {
        Console.WriteLine(text);
        _markdown.AppendLine(CultureInfo.InvariantCulture, $"- {text}");
    }

    public void Paragraph(string text)
    {
        Console.WriteLine(text);
        _markdown.AppendLine().AppendLine(text);
    }

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        Console.WriteLine(string.Join(" | ", header));
        foreach (var row in all)
        {
            Console.WriteLine(string.Join(" | ", row));
        }
        if (blankLineBeforeEveryTable || (_markdown.Length > 0 && !_markdown.ToString().EndsWith("\n\n", StringComparison.Ordinal)))
        {
            _markdown.AppendLine();
        }
        _markdown.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", header)} |");
        _markdown.AppendLine(CultureInfo.InvariantCulture, $"|{string.Concat(header.Select(_ => "---|"))}");
        foreach (var row in all)
        {
            _markdown.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", row)} |");
        }
        _markdown.AppendLine();
    }
}
