using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using AspireMmRag.Embedder.Inference;
using AspireMmRag.Embedder.Inference.Clip;
using AspireMmRag.Embedder.Inference.Passage;
using AspireMmRag.Embedder.Models;
using AspireMmRag.Embedder.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Embedder.Benchmarks;

/// <summary>
/// gRPC batching efficiency: <see cref="BenchSettings.Callers"/> concurrent single-item callers through real loopback
/// HTTP/2 to an embedder child process (its micro-batcher forms the batches), against direct in-process batched
/// inference on the same model files and the same inputs, in batches of the service's MaxBatchSize.
/// </summary>
public static class GrpcBatchingBenchmark
{
    public const string SectionId = "embedder-grpc";
    private const double Target = 0.9;

    private sealed record Workload(
        string Name,
        string Inputs,
        Action<long, int> DirectBatch,
        Func<long, CancellationToken, Task> GrpcCall,
        Func<float[]> DirectFirst,
        Func<CancellationToken, Task<float[]>> GrpcFirst);

    private sealed record Result(Workload Workload, Repeated Runs, Series Direct, Series Grpc)
    {
        public double Ratio => Grpc.Median / Direct.Median;
    }

    public static async Task<ReportSection> RunAsync(BenchSettings settings, BenchAssets assets, CancellationToken cancellationToken)
    {
        var loadAtStart = MachineInfo.LoadAverage();
        Console.WriteLine();
        Console.WriteLine("== gRPC batching efficiency ==");

        // The direct side uses the service's own building blocks with the same settings the child process gets.
        var inference = new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = settings.IntraOpThreads ?? 0 };
        var sessions = new OnnxSessionFactory(Microsoft.Extensions.Options.Options.Create(inference), NullLogger<OnnxSessionFactory>.Instance);
        var limits = new RequestLimitsOptions();
        var imageLimits = limits.ImageLimits;
        var decodeParallelism = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, limits.MaxConcurrentDecodes), CancellationToken = cancellationToken };

        Console.WriteLine("  loading the models in-process for the direct runs ...");
        using var clip = ClipModel.Load(assets.ClipDirectory, new ClipModelOptions(), sessions);
        using var passage = PassageModel.Load(ModelPaths.BuiltInPassageDirectory, new PassageModelOptions(), sessions);

        var processSettings = new EmbedderProcessSettings(assets.ClipDirectory, settings.IntraOpThreads, settings.BatchSize, settings.MaxWaitMs);
        var servers = await EmbedderProcess.StartManyAsync(1, processSettings, cancellationToken);
        var results = new List<Result>();
        var imageTime = new DirectTime();
        int connections;
        try
        {
            using var host = EmbedderClientHost.Create([servers[0].Address], TimeSpan.FromMinutes(5));
            var client = host.Client();
            connections = host.ConnectionsPerEndpoint();

            float[][] EmbedImagesDirect(long first, int count)
            {
                var started = Stopwatch.GetTimestamp();
                var tensors = new float[count][];
                Parallel.For(0, count, decodeParallelism, i =>
                {
                    var tensor = new float[ClipImagePreprocessor.TensorLength];
                    ClipImagePreprocessor.Preprocess(assets.Images[(int)((first + i) % assets.Images.Count)], tensor, imageLimits);
                    tensors[i] = tensor;
                });
                var preprocessed = Stopwatch.GetTimestamp();
                var vectors = clip.EmbedImages(tensors);
                imageTime.Preprocess += preprocessed - started;
                imageTime.Inference += Stopwatch.GetTimestamp() - preprocessed;
                return vectors;
            }
            float[][] EmbedTextsDirect(long first, int count) =>
                passage.Embed([.. Enumerable.Range(0, count).Select(i => assets.Passages[(int)((first + i) % assets.Passages.Count)])]);

            var workloads = new[]
            {
                new Workload(
                    $"images: CLIP ViT-B/32-shaped vision tower ({clip.Dimension}-d)",
                    assets.ImagesDescription,
                    (first, count) => EmbedImagesDirect(first, count),
                    (i, ct) => client.EmbedImagesAsync([assets.Images[(int)(i % assets.Images.Count)]], ct),
                    () => EmbedImagesDirect(0, 1)[0],
                    async ct => (await client.EmbedImagesAsync([assets.Images[0]], ct))[0]),
                new Workload(
                    $"texts: passage model {passage.ModelId} ({passage.Dimension}-d)",
                    assets.PassagesDescription,
                    (first, count) => EmbedTextsDirect(first, count),
                    (i, ct) => client.EmbedPassagesAsync([assets.Passages[(int)(i % assets.Passages.Count)]], ct),
                    () => EmbedTextsDirect(0, 1)[0],
                    async ct => (await client.EmbedPassagesAsync([assets.Passages[0]], ct))[0]),
            };

            foreach (var workload in workloads)
            {
                results.Add(await MeasureAsync(workload, settings, cancellationToken));
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        return new ReportSection(SectionId, "Embedder: gRPC batching efficiency", Render(settings, assets, results, connections, imageTime),
            loadAtStart, MachineInfo.LoadAverage());
    }

    private static async Task<Result> MeasureAsync(Workload workload, BenchSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine($"  {workload.Name}");

        // Same vectors both ways: both sides really do the same work.
        var viaGrpc = await workload.GrpcFirst(cancellationToken);
        var similarity = TensorPrimitives.CosineSimilarity(workload.DirectFirst(), viaGrpc);
        if (similarity < 0.999f)
        {
            throw new InvalidOperationException($"{workload.Name}: the gRPC and direct vectors of the same input differ (cosine {similarity:F4}).");
        }

        var batch = settings.BatchSize;
        var warmDirect = Measure.Direct(batch, long.MaxValue, settings.WarmUp, minBatches: 2, workload.DirectBatch,
            TimeSpan.FromMinutes(5), cancellationToken, skipFirstBatch: true);
        Console.WriteLine($"    warm-up direct: {warmDirect.ItemsPerSecond:F1} items/s");
        var warmGrpc = await Measure.ClosedLoopAsync(settings.Callers, long.MaxValue, settings.WarmUp, workload.GrpcCall,
            TimeSpan.FromMinutes(5), cancellationToken);
        Console.WriteLine($"    warm-up gRPC:   {warmGrpc.ItemsPerSecond:F1} items/s");

        // One item count for both sides, sized from the direct rate so that each run lasts at least MeasureTarget.
        var items = Measure.ItemsFor(warmDirect.ItemsPerSecond, settings.MeasureTarget, Measure.LeastCommonMultiple(batch, settings.Callers));
        var slowest = Math.Min(warmDirect.ItemsPerSecond, warmGrpc.ItemsPerSecond);
        var sides = new[] { $"direct, batches of {batch}", $"gRPC, {settings.Callers} single-item callers" };
        var repeated = await Measure.RepeatAsync(settings, items, Measure.LeastCommonMultiple(batch, settings.Callers), sides, async n =>
        {
            // Direct and gRPC back to back, so that drift in the machine's load hits both alike.
            var timeout = Measure.TimeoutFor(TimeSpan.FromSeconds(n / slowest));
            var direct = Measure.Direct(batch, n, null, 0, workload.DirectBatch, timeout, cancellationToken);
            var grpc = await Measure.ClosedLoopAsync(settings.Callers, n, null, workload.GrpcCall, timeout, cancellationToken);
            return [direct, grpc];
        });
        var result = new Result(workload, repeated, repeated.Side(0, sides[0]), repeated.Side(1, sides[1]));
        Console.WriteLine($"    gRPC/direct = {result.Ratio:F2}");
        return result;
    }

    /// <summary>Where the direct image batches spent their time.</summary>
    private sealed class DirectTime
    {
        public long Preprocess;
        public long Inference;

        public string Describe()
        {
            var total = (double)(Preprocess + Inference);
            return total > 0
                ? $"decoding and preprocessing (on {Environment.ProcessorCount} threads) took {Preprocess / total:P0} of their time and ONNX Runtime {Inference / total:P0}"
                : "no figures";
        }
    }

    private static string Render(BenchSettings settings, BenchAssets assets, IReadOnlyList<Result> results, int connections, DirectTime imageTime)
    {
        var text = new StringBuilder();
        var wait = settings.MaxWaitMs is { } ms ? $"MaxWait {ms.ToString(CultureInfo.InvariantCulture)} ms" : "MaxWait 2 ms (service default)";
        var threads = settings.IntraOpThreads is { } n ? $"IntraOpThreads={n}" : "IntraOpThreads default (ONNX Runtime: one thread per physical core)";
        text.Append(CultureInfo.InvariantCulture, $"""
            **What:** {settings.Callers} concurrent callers, each sending one item per gRPC call and the next as soon as the answer
            arrives (closed loop), against direct in-process batched inference on the same model files and the same inputs.

            - **gRPC side:** one embedder **child process** (`dotnet services/Embedder/bin/Release/net10.0/Embedder.dll`) on a
              loopback port, HTTP/2 without TLS, CPU execution provider, Batching:MaxBatchSize {settings.BatchSize}, {wait}, {threads}.
              The callers run in the benchmark process and go through the shared `EmbedderClient` ({connections} HTTP/2 connections).
              The server decodes and preprocesses each image in its request handler, then its micro-batcher forms the batches.
            - **Direct side:** the same model files loaded in the benchmark process through the service's `OnnxSessionFactory` (same
              settings), called in a loop in batches of {settings.BatchSize} (the service's MaxBatchSize). For images each batch is first
              decoded and preprocessed with `ClipImagePreprocessor` (up to {Environment.ProcessorCount} images at a time, as the service does),
              so both sides do the same work. The child process is idle during direct runs and the in-process models during gRPC runs.
            - **Runs:** a warm-up on each side; then each measurement embeds the same number of items (sized from the direct warm-up
              rate to last about {settings.MeasureTarget.TotalSeconds:F0} s), direct and gRPC runs alternating. Before timing, one input's
              gRPC and direct vectors are checked to be the same.
            - **Images:** {assets.ImagesDescription}; the model folder is `text_model.onnx` from `ClipTestModels.WriteSplit` and a
              `vision_model.onnx` from `ClipTestModels.WriteVitB32Shaped` (12 layers, width 768, patch 32, 512-d output, random
              weights: the compute of CLIP ViT-B/32, about 350 MB).
            - **Texts:** {assets.PassagesDescription}, embedded as passages with the built-in snowflake-arctic-embed-xs.


            """);
        text.Append(Report.Table(
            ["workload", "items per run", "direct items/s", "gRPC items/s", "gRPC / direct", $"target >= {Target:F1}", "other processes' CPU (max)", "runs discarded"],
            results.Select(r => (IReadOnlyList<string>)
            [
                r.Workload.Name,
                r.Runs.Items.ToString(CultureInfo.InvariantCulture),
                r.Direct.Describe(),
                r.Grpc.Describe(),
                r.Ratio.ToString("F2", CultureInfo.InvariantCulture),
                r.Ratio >= Target ? "met" : "**not met**",
                $"{r.Direct.DescribeOtherCpu()} direct, {r.Grpc.DescribeOtherCpu()} gRPC",
                r.Runs.DescribeDiscarded(),
            ])));
        text.Append(CultureInfo.InvariantCulture, $"""

            Items/s are the median of the runs (min–max in brackets); the ratio divides the medians. "Other processes' CPU" is the
            largest share of the machine's CPU time that processes other than the benchmark and its embedder used during a run
            (from /proc/stat; steal time included): the disturbance gauge. A pair of runs is discarded and repeated (at most 6 repeats per program run)
            when that share exceeds 15 %, and all pairs are redone with more items if the warm-up underestimated the rate so much that
            a run took under 90 % of the target time; "runs discarded" counts both. Mean run length:
            {string.Join("; ", results.Select(r => $"{r.Workload.Name.Split(':')[0]} {r.Direct.MeanSeconds:F1} s direct, {r.Grpc.MeanSeconds:F1} s gRPC"))}.
            In the direct image batches {imageTime.Describe()}.
            The benchmark process (callers, protobuf, HTTP/2 client) and the embedder process share the machine's
            {Environment.ProcessorCount} cores, so the gRPC figures pay for the client's and the server's request handling out of the same
            cores ONNX Runtime computes on.

            """);
        return text.ToString();
    }
}
