using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>The HNSW index alone (no SQLite): build rate with 2 threads, recall and latency per ef, f16 against f32,
/// embedding-like against uniform random data.</summary>
internal sealed class IndexBenchmark(BenchmarkReport report, int expansionAdd)
{
    private const int Dimension = 512;

    public void Run(string label, float[] matrix, int rows, EmbeddedVectorQuantization quantization, IReadOnlyList<float[]> queries, IReadOnlyList<int> expansions)
    {
        var truth = ExactSearch.TopK(matrix, rows, Dimension, queries, 10);
        var threads = Environment.ProcessorCount;
        using var index = HnswIndex.Create(Dimension, quantization, new EmbeddedHnswOptions { ExpansionAdd = expansionAdd }, threads);
        index.Reserve(rows);
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = t; i < rows; i += threads)
            {
                index.Add((ulong)i, matrix.AsSpan(i * Dimension, Dimension));
            }
        });
        var build = stopwatch.Elapsed;

        var table = new List<IReadOnlyList<string>>();
        foreach (var ef in expansions)
        {
            index.SetExpansionSearch(ef);
            var latencies = new List<double>();
            var raw = new List<IReadOnlyList<long>>();
            var reranked = new List<IReadOnlyList<long>>();
            var keys = new ulong[20];
            var distances = new float[20];
            foreach (var query in queries)
            {
                var t0 = Stopwatch.GetTimestamp();
                var found = index.Search(query, keys, distances, filter: null);
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                raw.Add(keys.Take(Math.Min(found, 10)).Select(k => (long)k).ToList());
                // What the store does: 20 candidates, re-ranked with the float32 vectors.
                reranked.Add(keys.Take(found)
                    .OrderByDescending(k => TensorPrimitives.Dot(query, new ReadOnlySpan<float>(matrix, (int)k * Dimension, Dimension)))
                    .Take(10).Select(k => (long)k).ToList());
            }
            table.Add([
                ef.ToString(CultureInfo.InvariantCulture),
                $"{Latencies.Percentile(latencies, 50):F2} ms",
                $"{Latencies.Recall(truth, raw, 10):F3}",
                $"{Latencies.Recall(truth, reranked, 10):F3}",
            ]);
        }
        report.Line($"{label}: {rows:N0} vectors built in {build.TotalSeconds:F1} s with {threads} threads ({rows / build.TotalSeconds:N0} vectors/s), index memory {index.MemoryUsage / 1048576.0:N0} MB.");
        report.Table(["ef", "search p50 (top-20)", "recall@10", "recall@10 after float32 re-rank of 20"], table);
    }
}
