using AspireMmRag.Benchmarks;

namespace AspireMmRag.VectorStore.Benchmarks;

internal static class Latencies
{
    public static double Percentile(IReadOnlyList<double> values, double percentile) => Percentiles.Of(values, percentile);

    public static string Summary(IReadOnlyList<double> milliseconds) =>
        $"p50 {Percentile(milliseconds, 50):F2} ms, p95 {Percentile(milliseconds, 95):F2} ms, p99 {Percentile(milliseconds, 99):F2} ms";

    public static double Recall(IReadOnlyList<long[]> truth, IReadOnlyList<IReadOnlyList<long>> found, int k)
    {
        double hits = 0;
        for (var q = 0; q < truth.Count; q++)
        {
            hits += truth[q].Take(k).Intersect(found[q].Take(k)).Count();
        }
        return hits / (truth.Count * (double)k);
    }
}
