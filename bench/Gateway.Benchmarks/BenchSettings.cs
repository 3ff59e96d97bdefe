namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>What to run and how long, from the command line.</summary>
public sealed record BenchSettings
{
    public const string Usage = """
        Usage: Gateway.Benchmarks [--quick] [--no-report] [--keep-data]
          --quick      a short run (about 3 minutes): fewer real embeddings, shorter load levels, fewer asks (a smoke test)
          --no-report  print only; do not write docs/benchmarks.md
          --keep-data  keep the temporary folder (models, store) instead of deleting it
        Test assets (the CLIP tokenizer files, stories260K.gguf) are found through MMRAG_TEST_ASSETS (default ../shared/models).
        """;

    public bool Quick { get; init; }
    public bool WriteReport { get; init; } = true;
    public bool KeepData { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public string Mode => Quick ? "quick" : "full";

    // ---- Corpus -------------------------------------------------------------------------------
    public int Passages => 10_000;
    public int PassagesPerDocument => 10;
    public int Images => 1_000;

    /// <summary>Distinct passage texts embedded with the real passage model; the other passages are noisy copies of their vectors.</summary>
    public int RealPassages => Quick ? 400 : 1_000;

    /// <summary>Distinct captions embedded with the real passage model (the rest are noisy copies).</summary>
    public int RealCaptions => Quick ? 200 : 1_000;

    /// <summary>Distinct questions, cycled by every measurement.</summary>
    public int Questions => 200;

    // ---- 1. /api/search under load -----------------------------------------------------------
    public IReadOnlyList<int> ClientLevels => [1, 8, 32];
    public TimeSpan SearchWarmUp => TimeSpan.FromSeconds(Warm ? 0.5 : Quick ? 1.5 : 4);
    public TimeSpan SearchDuration => TimeSpan.FromSeconds(Warm ? (Quick ? 4 : 10) : Quick ? 5 : 20);
    public int SearchMaxRequests => Quick ? 600 : 5_000;

    /// <summary>The unmeasured warm-up of the gateway before the first load level.</summary>
    public bool Warm { get; init; }

    public TimeSpan GatewayWarmUp => new BenchSettings { Quick = Quick, Warm = true }.SearchDuration;

    // ---- 2. /api/ask over SSE ----------------------------------------------------------------
    public int AskWarmUp => Quick ? 3 : 5;
    public int Asks => Quick ? 12 : 40;
    public int MaxOutputTokens => 48;
    public int AskBlock => Quick ? 6 : 10;

    // ---- 3. The two paths alone vs together --------------------------------------------------
    public int OverheadWarmUp => Quick ? 10 : 30;
    public int OverheadIterations => Quick ? 60 : 300;
    public double OverheadTarget => 1.1;
    public int OverheadBlock => Quick ? 30 : 50;

    /// <summary>Times a load level is measured again when other processes disturbed it.</summary>
    public int SearchLevelRepeats => Quick ? 1 : 3;

    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new BenchSettings { Arguments = [.. args] };
        foreach (var arg in args)
        {
            settings = arg switch
            {
                "--quick" => settings with { Quick = true },
                "--no-report" => settings with { WriteReport = false },
                "--keep-data" => settings with { KeepData = true },
                _ => throw new ArgumentException($"Unknown argument '{arg}'."),
            };
        }
        return settings;
    }
}
