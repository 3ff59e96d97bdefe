namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>What one mode runs.</summary>
internal sealed record BenchmarkSettings
{
    public required string Mode { get; init; }

    public required int Rows { get; init; }

    public required int ExactScanThreshold { get; init; }

    public required int Queries { get; init; }

    public required int Batch { get; init; }

    public int ExpansionSearch { get; init; } = 384;

    public int ExpansionAdd { get; init; } = 128;

    public IReadOnlyList<int> ReaderExpansions { get; init; } = [128, 256, 384, 512];

    public bool StoreBenchmark { get; init; } = true;

    /// <summary>Rows for the index-only f16/f32 and uniform comparisons (0 = skip).</summary>
    public int IndexRows { get; init; }

    public bool ChildReader { get; init; } = true;

    public required string Directory { get; init; }

    public static BenchmarkSettings For(string mode, string directory) => mode switch
    {
        "quick" => new BenchmarkSettings
        {
            Mode = mode, Rows = 20_000, ExactScanThreshold = 5_000, Queries = 200, Batch = 1_000, IndexRows = 20_000, Directory = directory,
        },
        "1M" => new BenchmarkSettings
        {
            Mode = mode, Rows = 1_000_000, ExactScanThreshold = 20_000, Queries = 300, Batch = 2_000, IndexRows = 0, Directory = directory,
        },
        _ => new BenchmarkSettings
        {
            Mode = mode, Rows = 100_000, ExactScanThreshold = 20_000, Queries = 500, Batch = 1_000, IndexRows = 100_000, Directory = directory,
        },
    };
}
