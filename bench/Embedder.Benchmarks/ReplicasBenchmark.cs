using System.Globalization;
using System.Text;

namespace AspireMmRag.Embedder.Benchmarks;

/// <summary>
/// Replicas: the same closed-loop load of single-item gRPC callers against one embedder process and against two, each a
/// child process on its own port, reached through the shared <see cref="Embedding.EmbedderClient"/> with both endpoints
/// configured (as Aspire's service discovery would give them). Also one replica with IntraOpThreads=2 against two with
/// IntraOpThreads=1 each, which splits the cores between the replicas instead of oversubscribing them.
/// </summary>
public static class ReplicasBenchmark
{
    public const string SectionId = "embedder-replicas";

    private sealed record Configuration(string Label, int Replicas, int? IntraOpThreads, int BaselineIndex);

    private sealed record Workload(string Name, Func<Embedding.EmbedderClient, long, CancellationToken, Task> Call);

    private sealed record Result(Configuration Configuration, Workload Workload, Repeated Runs, Series Series);

    public static async Task<ReportSection> RunAsync(BenchSettings settings, BenchAssets assets, CancellationToken cancellationToken)
    {
        var loadAtStart = MachineInfo.LoadAverage();
        Console.WriteLine();
        Console.WriteLine("== Replicas ==");

        Configuration[] configurations =
        [
            new("1 replica, IntraOpThreads default", 1, null, 0),
            new("2 replicas, IntraOpThreads default", 2, null, 0),
            new("1 replica, IntraOpThreads=2", 1, 2, 2),
            new("2 replicas, IntraOpThreads=1 each", 2, 1, 2),
        ];
        Workload[] workloads =
        [
            new("images (CLIP ViT-B/32-shaped)",
                (client, i, ct) => client.EmbedImagesAsync([assets.Images[(int)(i % assets.Images.Count)]], ct)),
            new("texts (arctic-embed-xs passages)",
                (client, i, ct) => client.EmbedPassagesAsync([assets.Passages[(int)(i % assets.Passages.Count)]], ct)),
        ];

        var results = new List<Result>();
        var connections = 0;
        foreach (var configuration in configurations)
        {
            Console.WriteLine($"  {configuration.Label}");
            var processSettings = new EmbedderProcessSettings(assets.ClipDirectory, configuration.IntraOpThreads, settings.BatchSize, settings.MaxWaitMs);
            var servers = await EmbedderProcess.StartManyAsync(configuration.Replicas, processSettings, cancellationToken);
            try
            {
                using var host = EmbedderClientHost.Create([.. servers.Select(s => s.Address)], TimeSpan.FromMinutes(5));
                var client = host.Client();
                connections = host.ConnectionsPerEndpoint();
                foreach (var workload in workloads)
                {
                    results.Add(await MeasureAsync(configuration, workload, client, settings, cancellationToken));
                }
                if (host.Endpoints().Count != configuration.Replicas)
                {
                    throw new InvalidOperationException($"The client spread calls over {host.Endpoints().Count} endpoints, expected {configuration.Replicas}.");
                }
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync();
                }
            }
        }

        return new ReportSection(SectionId, "Embedder: one replica vs two", Render(settings, assets, configurations, workloads, results, connections),
            loadAtStart, MachineInfo.LoadAverage());
    }

    private static async Task<Result> MeasureAsync(Configuration configuration, Workload workload, Embedding.EmbedderClient client,
        BenchSettings settings, CancellationToken cancellationToken)
    {
        Task Call(long i, CancellationToken ct) => workload.Call(client, i, ct);
        var warm = await Measure.ClosedLoopAsync(settings.Callers, long.MaxValue, settings.WarmUp, Call, TimeSpan.FromMinutes(5), cancellationToken);
        Console.WriteLine($"    {workload.Name}: warm-up {warm.ItemsPerSecond:F1} items/s");

        var items = Measure.ItemsFor(warm.ItemsPerSecond, settings.MeasureTarget, settings.Callers);
        var name = $"{settings.Callers} callers, {configuration.Replicas} replica(s)";
        var repeated = await Measure.RepeatAsync(settings, items, settings.Callers, [name], async n =>
            [await Measure.ClosedLoopAsync(settings.Callers, n, null, Call, Measure.TimeoutFor(TimeSpan.FromSeconds(n / warm.ItemsPerSecond)), cancellationToken)]);
        return new Result(configuration, workload, repeated, repeated.Side(0, name));
    }

    private static string Render(BenchSettings settings, BenchAssets assets, Configuration[] configurations, Workload[] workloads,
        IReadOnlyList<Result> results, int connections)
    {
        var text = new StringBuilder();
        var wait = settings.MaxWaitMs is { } ms ? $"MaxWait {ms.ToString(CultureInfo.InvariantCulture)} ms" : "MaxWait 2 ms (service default)";
        text.Append(CultureInfo.InvariantCulture, $"""
            **What:** the load of the gRPC benchmark ({settings.Callers} concurrent single-item callers, closed loop) against one embedder
            process and against two. Every replica is a **child process** of the benchmark (`dotnet services/Embedder/bin/Release/net10.0/Embedder.dll`)
            on its own loopback port, CPU execution provider, Batching:MaxBatchSize {settings.BatchSize}, {wait}; the benchmark waits until
            DescribeModels reports passage and CLIP available. The callers go through the shared `EmbedderClient` configured with every
            replica's endpoint (`services:embedder:http:0`, `services:embedder:http:1`; {connections} connections per endpoint; each call
            takes the connection with the fewest calls in flight). "IntraOpThreads default" lets ONNX Runtime choose (one thread per
            physical core: {Environment.ProcessorCount} here, so two default replicas run {2 * Environment.ProcessorCount} compute threads on {Environment.ProcessorCount} cores); the second pair
            gives one replica both cores, or each of two replicas one. Each configuration gets a warm-up, then runs sized from the
            warm-up rate to last about {settings.MeasureTarget.TotalSeconds:F0} s.
            Images: {assets.ImagesDescription}, on the ViT-B/32-shaped vision tower. Texts: {assets.PassagesDescription}, on arctic-embed-xs.


            """);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var workload in workloads)
        {
            foreach (var configuration in configurations)
            {
                var result = results.Single(r => r.Workload == workload && r.Configuration == configuration);
                var baseline = results.Single(r => r.Workload == workload && r.Configuration == configurations[configuration.BaselineIndex]);
                var speedUp = result == baseline
                    ? "1.00 (baseline)"
                    : $"{result.Series.Median / baseline.Series.Median:F2} vs {baseline.Configuration.Label}";
                rows.Add([workload.Name, configuration.Label, result.Runs.Items.ToString(CultureInfo.InvariantCulture), result.Series.Describe(), speedUp,
                    result.Series.DescribeOtherCpu(), result.Runs.DescribeDiscarded()]);
            }
        }
        text.Append(Report.Table(["workload", "configuration", "items per run", "items/s", "speed-up", "other processes' CPU (max)", "runs discarded"], rows));
        text.Append(CultureInfo.InvariantCulture, $"""

            Items/s are the median of the runs (min–max in brackets); "other processes' CPU" is the largest share of the machine's
            CPU time used during a run by processes other than the benchmark and its embedders (the disturbance gauge); runs where it
            exceeded 15 % were repeated (at most 6 repeats per program run), and runs shorter than 90 % of the target were redone with more items. **This machine has {Environment.ProcessorCount} cores, and they bound the result:**
            one replica's ONNX Runtime already computes on all of them, so a second replica adds no arithmetic; it can only overlap
            request handling, image decoding, tokenization and batching pauses with the other replica's inference (or lose by
            oversubscription and contention). Replicas scale throughput when each gets its own cores (or GPU).

            """);
        if (Environment.ProcessorCount == 2)
        {
            // ONNX Runtime's default is one thread per physical core: 2 here, so these two rows are the same set-up.
            var differences = workloads.Select(workload =>
            {
                var byDefault = results.Single(r => r.Workload == workload && r.Configuration == configurations[0]).Series.Median;
                var explicitTwo = results.Single(r => r.Workload == workload && r.Configuration == configurations[2]).Series.Median;
                return $"{Math.Abs(byDefault - explicitTwo) / Math.Max(byDefault, explicitTwo):P0} for {workload.Name.Split(' ')[0]}";
            });
            text.Append(CultureInfo.InvariantCulture, $"""
                With 2 cores the default ONNX Runtime thread count is 2 (when they are 2 physical cores, as on this VM), so
                "1 replica, IntraOpThreads default" and "1 replica, IntraOpThreads=2" are the same set-up run twice in fresh processes:
                their difference ({string.Join(", ", differences)}) shows the run-to-run noise, and speed-ups within it mean nothing.

                """);
        }
        return text.ToString();
    }
}
