using System.Numerics.Tensors;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>Brute-force ground truth: exact top-k by dot product over a contiguous matrix (queries in parallel blocks).</summary>
internal static class ExactSearch
{
    public static long[][] TopK(float[] matrix, int rows, int dimension, IReadOnlyList<float[]> queries, int k)
    {
        var result = new long[queries.Count][];
        var workers = Environment.ProcessorCount;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var mine = Enumerable.Range(0, queries.Count).Where(q => q % workers == worker).ToList();
            var tops = mine.Select(_ => new TopK(k)).ToList();
            const int block = 512;
            for (var start = 0; start < rows; start += block)
            {
                var end = Math.Min(rows, start + block);
                for (var j = 0; j < mine.Count; j++)
                {
                    var query = queries[mine[j]];
                    var top = tops[j];
                    for (var row = start; row < end; row++)
                    {
                        var score = TensorPrimitives.Dot(query, new ReadOnlySpan<float>(matrix, row * dimension, dimension));
                        if (score > top.Threshold)
                        {
                            top.Add(row, score);
                        }
                    }
                }
            }
            for (var j = 0; j < mine.Count; j++)
            {
                result[mine[j]] = Enumerable.Range(0, tops[j].Count).Select(tops[j].KeyAt).ToArray();
            }
        });
        return result;
    }

    /// <summary>Single-threaded exact scan of the first <paramref name="rows"/> rows, as the store's fresh-segment scan does.</summary>
    public static double ScanMilliseconds(float[] matrix, int rows, int dimension, IReadOnlyList<float[]> queries)
    {
        var latencies = new List<double>();
        foreach (var query in queries)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var top = new TopK(10);
            for (var row = 0; row < rows; row++)
            {
                var score = TensorPrimitives.Dot(query, new ReadOnlySpan<float>(matrix, row * dimension, dimension));
                if (score > top.Threshold)
                {
                    top.Add(row, score);
                }
            }
            latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return Latencies.Percentile(latencies, 50);
    }
}
