using System.Globalization;
using System.Text;

namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>
/// The figures of one run, printed as they come and written as markdown into this benchmark's section of
/// docs/benchmarks.md (between <c>&lt;!-- bench:vector-store --&gt;</c> markers). Each mode (quick, 100k, 1M) keeps its
/// own block inside the section, so running one mode leaves the others' last figures in place.
/// </summary>
internal sealed class BenchmarkReport(string mode, string command)
{
    private const string SectionStart = "<!-- bench:vector-store -->";
    private const string SectionEnd = "<!-- /bench:vector-store -->";
    private static readonly string[] ModeOrder = ["quick", "100k", "1M"];

    private readonly StringBuilder _markdown = new();

    public string Mode { get; } = mode;

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

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        Console.WriteLine(string.Join(" | ", header));
        foreach (var row in all)
        {
            Console.WriteLine(string.Join(" | ", row));
        }
        _markdown.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", header)} |");
        _markdown.AppendLine(CultureInfo.InvariantCulture, $"|{string.Concat(header.Select(_ => "---|"))}");
        foreach (var row in all)
        {
            _markdown.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", row)} |");
        }
        _markdown.AppendLine();
    }

    /// <summary>Replaces this mode's block in the section of <paramref name="path"/>, keeping everything else.</summary>
    public void WriteTo(string path)
    {
        var blockStart = $"<!-- vector-store:{Mode} -->";
        var blockEnd = $"<!-- /vector-store:{Mode} -->";
        var block = new StringBuilder()
            .AppendLine(blockStart)
            .AppendLine(CultureInfo.InvariantCulture, $"### {Mode}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {MachineInfo.Describe()}.")
            .AppendLine(CultureInfo.InvariantCulture, $"Command: `{command}`")
            .Append(_markdown)
            .AppendLine(blockEnd)
            .ToString();

        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var start = text.IndexOf(SectionStart, StringComparison.Ordinal);
        var end = text.IndexOf(SectionEnd, StringComparison.Ordinal);
        string section;
        if (start < 0 || end < start)
        {
            section = SectionStart + "\n" + Intro + "\n" + block + SectionEnd;
            text = text.TrimEnd() + "\n\n" + section + "\n";
        }
        else
        {
            var inner = text[(start + SectionStart.Length)..end];
            // Keep the hand-written text before the first block, then the blocks in the order quick, 100k, 1M.
            var blocks = new SortedDictionary<int, string>();
            var firstBlock = inner.IndexOf("<!-- vector-store:", StringComparison.Ordinal);
            var head = firstBlock >= 0 ? inner[..firstBlock] : inner;
            foreach (var other in ModeOrder)
            {
                var otherStart = inner.IndexOf($"<!-- vector-store:{other} -->", StringComparison.Ordinal);
                var otherEnd = inner.IndexOf($"<!-- /vector-store:{other} -->", StringComparison.Ordinal);
                if (otherStart >= 0 && otherEnd > otherStart)
                {
                    blocks[Array.IndexOf(ModeOrder, other)] = inner[otherStart..(otherEnd + $"<!-- /vector-store:{other} -->".Length)];
                }
            }
            blocks[Math.Max(0, Array.IndexOf(ModeOrder, Mode))] = block.TrimEnd('\n', '\r');
            if (!head.Contains("## Embedded vector store", StringComparison.Ordinal))
            {
                head = "\n" + Intro;
            }
            inner = head.TrimEnd() + "\n\n" + string.Join("\n\n", blocks.Values);
            text = text[..start] + SectionStart + inner.TrimEnd() + "\n" + text[end..];
        }
        File.WriteAllText(path, text);
    }

    private const string Intro = """
        ## Embedded vector store (SQLite + USearch HNSW)

        `bench/VectorStore.Benchmarks` measures `EmbeddedVectorStore` end to end (through `IVectorStore`, so every
        search includes reading the hits' rows from SQLite and re-scoring them with the float32 vectors), then the
        HNSW index alone for the f16/f32 and data-set comparisons. Targets: 100k×512 search p50 ≤ 5 ms at
        recall@10 ≥ 0.98; 1M×512 p50 ≤ 10 ms at recall@10 ≥ 0.95; durable upserts ≥ 5k vectors/s with every
        upserted row visible to the next search; reopen with 1M rows ≤ 10 s.

        ```bash
        dotnet run -c Release --project bench/VectorStore.Benchmarks -- --quick   # 20k rows, about a minute
        dotnet run -c Release --project bench/VectorStore.Benchmarks              # 100k rows, several minutes
        dotnet run -c Release --project bench/VectorStore.Benchmarks -- --large   # 1M rows, the better part of an hour
        ```

        """;
}
