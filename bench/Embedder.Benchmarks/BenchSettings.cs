using System.Globalization;
using AspireMmRag.Embedder.Options;

namespace AspireMmRag.Embedder.Benchmarks;

/// <summary>What to run and how long, from the command line.</summary>
public sealed record BenchSettings
{
    public const string Usage = """
        Usage: Embedder.Benchmarks [--quick] [--only grpc|replicas] [--report|--no-report]
                                   [--callers N] [--max-batch N] [--max-wait-ms X] [--intra-op N]
          --quick          short measurements (about 2 s, one run each) for a smoke test; does not write the report
          --only           run one benchmark: "grpc" (batching efficiency) or "replicas"
          --report         write docs/benchmarks.md even in quick or tuned runs; --no-report never writes it
          --callers        concurrent single-item callers (default 64)
          --max-batch      Batching:MaxBatchSize of the service, also the direct batch size (default 32)
          --max-wait-ms    Batching:MaxWait of the service in milliseconds (default: the service's 2 ms)
          --intra-op       Inference:IntraOpThreads for the grpc benchmark, service and direct (default: ONNX Runtime's choice)
        Test assets (the CLIP tokenizer files) are found through MMRAG_TEST_ASSETS.
        """;

    public bool Quick { get; init; }
    public bool RunGrpc { get; init; } = true;
    public bool RunReplicas { get; init; } = true;
    public bool WriteReport { get; init; }
    public int Callers { get; init; } = 64;
    public int? MaxBatchSize { get; init; }
    public double? MaxWaitMs { get; init; }
    public int? IntraOpThreads { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The service's batch size, and the size of the direct batches.</summary>
    public int BatchSize => MaxBatchSize ?? new BatchingOptions().MaxBatchSize;

    /// <summary>Each measured run lasts at least about this long.</summary>
    public TimeSpan MeasureTarget => TimeSpan.FromSeconds(Quick ? 2 : 10);
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Quick ? 1.5 : 3);
    public int Repeats => Quick ? 1 : 3;

    /// <summary>Settings that change the service away from its defaults.</summary>
    public bool Tuned => MaxBatchSize is not null || MaxWaitMs is not null || IntraOpThreads is not null || Callers != 64;

    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new BenchSettings { Arguments = [.. args] };
        bool? report = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int PositiveInt() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n : throw new ArgumentException($"{args[i - 1]} needs a positive integer.");
            switch (args[i])
            {
                case "--quick":
                    settings = settings with { Quick = true };
                    break;
                case "--only":
                    settings = Value() switch
                    {
                        "grpc" => settings with { RunGrpc = true, RunReplicas = false },
                        "replicas" => settings with { RunGrpc = false, RunReplicas = true },
                        var other => throw new ArgumentException($"--only takes grpc or replicas, not '{other}'."),
                    };
                    break;
                case "--report":
                    report = true;
                    break;
                case "--no-report":
                    report = false;
                    break;
                case "--callers":
                    settings = settings with { Callers = PositiveInt() };
                    break;
                case "--max-batch":
                    settings = settings with { MaxBatchSize = PositiveInt() };
                    break;
                case "--intra-op":
                    settings = settings with { IntraOpThreads = PositiveInt() };
                    break;
                case "--max-wait-ms":
                    settings = settings with
                    {
                        MaxWaitMs = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0
                            ? ms : throw new ArgumentException("--max-wait-ms needs a number >= 0."),
                    };
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        // Quick and tuned runs print only, so they never overwrite the reference figures by accident.
        return settings with { WriteReport = report ?? (!settings.Quick && !settings.Tuned) };
    }
}
