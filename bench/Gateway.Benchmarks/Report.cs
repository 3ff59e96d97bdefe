using System.Globalization;
using System.Text;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// The figures of one run, printed as they come and written as markdown into the "Gateway" section of docs/benchmarks.md
/// (between <c>&lt;!-- bench:gateway --&gt;</c> markers). The quick and the full run each keep their own block inside the
/// section, so a quick run never overwrites the full figures; text in the section outside the blocks is kept.
/// </summary>
public sealed class Report(BenchSettings settings)
{
    private const string SectionStart = "<!-- bench:gateway -->";
    private const string SectionEnd = "<!-- /bench:gateway -->";
    private readonly StringBuilder _markdown = new();

    public string DocumentPath { get; } = Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");

    public string Command => "dotnet run -c Release --project bench/Gateway.Benchmarks" +
        (settings.Arguments.Count > 0 ? " -- " + string.Join(' ', settings.Arguments) : "");

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
        if (_markdown.Length > 0 && !_markdown.ToString().EndsWith("\n\n", StringComparison.Ordinal))
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
            .Append(_markdown.ToString().TrimEnd()).AppendLine()
            .AppendLine(blockEnd)
            .ToString();

        var text = File.Exists(DocumentPath) ? File.ReadAllText(DocumentPath) : "# Benchmarks\n";
        var start = text.IndexOf(SectionStart, StringComparison.Ordinal);
        var end = text.IndexOf(SectionEnd, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            text = text.TrimEnd() + "\n\n" + SectionStart + "\n## Gateway\n\n" + block + SectionEnd + "\n";
        }
        else
        {
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

    /// <summary>The folder holding AspireMmRag.sln, searched upwards from the binaries, then from the working directory.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AspireMmRag.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new DirectoryNotFoundException("AspireMmRag.sln not found above the benchmark binaries or the working directory.");
    }
}
