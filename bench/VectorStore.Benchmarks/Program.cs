using System.Diagnostics;
using System.Globalization;
using AspireMmRag.VectorStore.Benchmarks;
using AspireMmRag.VectorStore.Embedded;

// Usage: [--quick | --large] [--dir PATH] [--no-docs] [--no-child] [--no-index-comparison] [--index-only] [--expansion-add N] [--keep-data]
if (args.Length >= 4 && args[0] == "--reader-child")
{
    return await ReaderChild.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
}

var mode = args.Contains("--quick") ? "quick" : args.Contains("--large") ? "1M" : "100k";
var dirIndex = Array.IndexOf(args, "--dir");
var directory = dirIndex >= 0 && dirIndex + 1 < args.Length
    ? args[dirIndex + 1]
    : Path.Combine(Path.GetTempPath(), $"vector-store-bench-{mode}");
var settings = BenchmarkSettings.For(mode, directory) with { ChildReader = !args.Contains("--no-child") };
if (args.Contains("--no-index-comparison"))
{
    settings = settings with { IndexRows = 0 };
}
if (args.Contains("--index-only"))
{
    settings = settings with { StoreBenchmark = false, IndexRows = settings.IndexRows > 0 ? settings.IndexRows : settings.Rows };
}
var expansionAddIndex = Array.IndexOf(args, "--expansion-add");
if (expansionAddIndex >= 0 && expansionAddIndex + 1 < args.Length)
{
    settings = settings with { ExpansionAdd = int.Parse(args[expansionAddIndex + 1], CultureInfo.InvariantCulture) };
}
var command = "dotnet run -c Release --project bench/VectorStore.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
var report = new BenchmarkReport(mode, command);
var total = Stopwatch.StartNew();
var loadAtStart = MachineInfo.LoadAverage();
Console.WriteLine($"Embedded vector store benchmark, mode {mode}, data in {directory}");
Console.WriteLine(MachineInfo.Describe());
#if DEBUG
Console.WriteLine("WARNING: a Debug build; run with -c Release for meaningful figures.");
#endif

var embeddings = new SyntheticEmbeddings(SyntheticEmbeddings.Kind.Latent, 512);
var stopwatch = Stopwatch.StartNew();
var matrix = embeddings.Matrix(Math.Max(settings.Rows, settings.IndexRows), firstSeed: 0);
Console.WriteLine($"Generated {settings.Rows:N0} vectors in {stopwatch.Elapsed.TotalSeconds:F1} s");

try
{
    if (settings.StoreBenchmark)
    {
        await new StoreBenchmark(settings, report).RunAsync(embeddings, matrix);
    }

    if (settings.IndexRows > 0)
    {
        report.Heading($"HNSW index alone ({settings.IndexRows:N0} × 512, M=16, efConstruction={settings.ExpansionAdd}, {settings.Queries} queries)");
        var queries = Enumerable.Range(0, settings.Queries).Select(i => embeddings.Vector(10_000_000_000 + i)).ToList();
        var index = new IndexBenchmark(report, settings.ExpansionAdd);
        index.Run("Embedding-like, f16", matrix, settings.IndexRows, EmbeddedVectorQuantization.Float16, queries, [64, 128, 256, 512]);
        if (!args.Contains("--index-only"))
        {
            index.Run("Embedding-like, f32", matrix, settings.IndexRows, EmbeddedVectorQuantization.Float32, queries, [64, 128, 256, 512]);
        }
        if (!args.Contains("--index-only"))
        {
            var uniform = new SyntheticEmbeddings(SyntheticEmbeddings.Kind.Uniform, 512);
            var uniformMatrix = uniform.Matrix(settings.IndexRows, firstSeed: 0);
            var uniformQueries = Enumerable.Range(0, settings.Queries).Select(i => uniform.Vector(10_000_000_000 + i)).ToList();
            index.Run($"Side note, uniform random ({uniform.Description}), f16", uniformMatrix, settings.IndexRows, EmbeddedVectorQuantization.Float16, uniformQueries, [128, 256, 512]);
        }
    }
}
finally
{
    if (!args.Contains("--keep-data") && Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}

report.Heading("Run");
report.Line($"Total {total.Elapsed.TotalMinutes:F1} min; load average at the start {loadAtStart}, at the end {MachineInfo.LoadAverage()} (1/5/15 min; other work shared the {Environment.ProcessorCount} cores).");
if (!args.Contains("--no-docs"))
{
    var docs = FindDocs();
    if (docs is not null)
    {
        report.WriteTo(docs);
        Console.WriteLine($"Wrote the {mode} figures into {docs}");
    }
}
return 0;

static string? FindDocs()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "AspireMmRag.sln")))
        {
            return Path.Combine(dir.FullName, "docs", "benchmarks.md");
        }
    }
    return null;
}
