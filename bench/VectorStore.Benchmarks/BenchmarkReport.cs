using System.Globalization;
using System.Text;
using AspireMmRag.Benchmarks;

namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>
/// The figures of one run, printed as they come and written as markdown into this benchmark's section of
/// docs/benchmarks.md (between <c>&lt;!-- bench:vector-store --&gt;</c> markers). Each mode (quick, 100k, 1M) keeps its
/// own block inside the section, so running one mode leaves the others' last figures in place.
/// </summary>
internal sealed class BenchmarkReport(string mode, string command)
{
    private const string Section = "vector-store";
    private static readonly string[] ModeOrder = ["quick", "100k", "1M"];

    private readonly MarkdownLog _markdown = new(blankLineBeforeEveryTable: true);

    public string Mode { get; } = mode;

    public void Heading(string text) => _markdown.Heading(text);

    public void Line(string text) => _markdown.Line(text);

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows) => _markdown.Table(header, rows);

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
            .Append(_markdown.Markdown)
            .AppendLine(blockEnd)
            .ToString();

        var text = BenchmarksDocument.Read(path);
        var sectionStart = BenchmarksDocument.SectionStart(Section);
        if (BenchmarksDocument.FindSection(text, Section) is not { } section)
        {
            text = text.TrimEnd() + "\n\n" + sectionStart + "\n" + Intro + "\n" + block + BenchmarksDocument.SectionEnd(Section) + "\n";
        }
        else
        {
            var (start, end) = section;
            var inner = text[(start + sectionStart.Length)..end];
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
            text = text[..start] + sectionStart + inner.TrimEnd() + "\n" + text[end..];
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
