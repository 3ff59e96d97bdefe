using System.Globalization;
using AspireMmRag.Benchmarks;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>Nearest-rank percentiles of a sample.</summary>
public sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> values) => _sorted = [.. values.Order()];

    public int Count => _sorted.Length;
    public double Min => _sorted.Length > 0 ? _sorted[0] : double.NaN;
    public double Max => _sorted.Length > 0 ? _sorted[^1] : double.NaN;
    public double Mean => _sorted.Length > 0 ? _sorted.Average() : double.NaN;
    public double P50 => Percentile(50);
    public double P95 => Percentile(95);
    public double P99 => Percentile(99);

    public double Percentile(double percentile) => Percentiles.OfSorted(_sorted, percentile);

    /// <summary>Milliseconds with a precision that suits their size.</summary>
    public static string Ms(double value) => double.IsNaN(value) ? "–"
        : value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) + " ms"
        : value >= 10 ? value.ToString("F1", CultureInfo.InvariantCulture) + " ms"
        : value.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    public static string F(double value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);
}
