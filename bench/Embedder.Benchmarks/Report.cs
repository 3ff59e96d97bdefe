using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using AspireMmRag.Benchmarks;

namespace AspireMmRag.Embedder.Benchmarks;

/// <summary>One benchmark's results: printed, and kept between its markers in docs/benchmarks.md.</summary>
/// <param name="Id">The marker name: the section sits between <c>&lt;!-- bench:Id --&gt;</c> and <c>&lt;!-- /bench:Id --&gt;</c>.</param>
public sealed record ReportSection(string Id, string Title, string Body, double LoadAtStart, double LoadAtEnd);

/// <summary>The machine the figures come from.</summary>
public sealed record MachineInfo(int Cores, string Cpu, string Os, string Memory, string Runtime, string OnnxRuntime)
{
    public string Summary => $"{Cores} cores, {Cpu}, {Os}, {Memory} RAM; {Runtime}; ONNX Runtime {OnnxRuntime}";

    public static MachineInfo Capture()
    {
        var cpu = MachineFacts.Cpu();
        var distribution = MachineFacts.Distribution();
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? $"Linux {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}" : null;
        var os = string.Join(", ", new[] { distribution ?? RuntimeInformation.OSDescription, kernel }.OfType<string>());
        var memory = MachineFacts.MemoryGigabytes() is { } gb ? $"{gb:F0} GB" : "unknown";
        var ort = typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "unknown";
        return new MachineInfo(Environment.ProcessorCount, cpu, os, memory, RuntimeInformation.FrameworkDescription, ort);
    }

    /// <summary>The 1-minute load average (0 where /proc/loadavg does not exist).</summary>
    public static double LoadAverage() => MachineFacts.LoadAverage();
}

/// <summary>Prints each section and, unless disabled, replaces it in docs/benchmarks.md (other sections are left alone).</summary>
public sealed class Report(BenchSettings settings)
{
    public MachineInfo Machine { get; } = MachineInfo.Capture();

    public string DocumentPath { get; } = Repository.BenchmarksDocument();

    /// <summary>The command that reproduces this run, from the repository root.</summary>
    public string Command
    {
        get
        {
            var assets = Environment.GetEnvironmentVariable("MMRAG_TEST_ASSETS") is { Length: > 0 } path ? $"MMRAG_TEST_ASSETS={path} " : "";
            var arguments = settings.Arguments.Count > 0 ? " -- " + string.Join(' ', settings.Arguments) : "";
            return $"dotnet build bench/Embedder.Benchmarks -c Release && {assets}dotnet run -c Release --project bench/Embedder.Benchmarks --no-build{arguments}";
        }
    }

    public void Write(ReportSection section)
    {
        var markdown = Render(section);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (!settings.WriteReport)
        {
            Console.WriteLine($"({(settings.Quick ? "quick" : "tuned")} run: {DocumentPath} not updated; pass --report to write it)");
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(DocumentPath)!);
        var document = BenchmarksDocument.Read(DocumentPath,
            "# Benchmarks\n\nFigures measured by the programs under `bench/`. Each section between `<!-- bench:... -->` markers is " +
              "rewritten by its program on every full run; write anything else outside the markers.\n");
        File.WriteAllText(DocumentPath, BenchmarksDocument.ReplaceSection(document, section.Id, markdown));
        Console.WriteLine($"Updated section '{section.Id}' of {DocumentPath}");
    }

    private string Render(ReportSection section)
    {
        var runs = settings.Repeats == 1 ? "1 run" : $"median of {settings.Repeats} runs";
        var text = new StringBuilder();
        text.Append(BenchmarksDocument.SectionStart(section.Id)).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"## {section.Title}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- **Machine:** {Machine.Summary}\n");
        text.Append(CultureInfo.InvariantCulture, $"- **Date:** {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n");
        text.Append(CultureInfo.InvariantCulture, $"- **Command** (from the repository root): `{Command}`\n");
        text.Append(CultureInfo.InvariantCulture, $"- **Mode:** {(settings.Quick ? "quick" : "full")}: {runs} of about {settings.MeasureTarget.TotalSeconds:F0} s each, after a warm-up\n");
        text.Append(CultureInfo.InvariantCulture, $"- **Load average (1 min):** {section.LoadAtStart:F2} when this benchmark started, {section.LoadAtEnd:F2} when it ended ");
        text.Append("(this benchmark's own threads count too; the \"other processes' CPU\" column isolates the disturbance by anything else)\n\n");
        text.Append(section.Body.TrimEnd()).Append('\n');
        text.Append(BenchmarksDocument.SectionEnd(section.Id)).Append('\n');
        return text.ToString();
    }

    /// <summary>A markdown table.</summary>
    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", headers).Append(" |\n");
        text.Append('|').AppendJoin('|', headers.Select(_ => " --- ")).Append("|\n");
        foreach (var row in rows)
        {
            text.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        }
        return text.ToString();
    }
}
