namespace AspireMmRag.Benchmarks;

/// <summary>Nearest-rank percentiles.</summary>
public static class Percentiles
{
    /// <summary>The nearest-rank <paramref name="percentile"/> (0–100) of values sorted ascending; NaN when there are none.</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    /// <summary>The nearest-rank <paramref name="percentile"/> (0–100) of values in any order.</summary>
    public static double Of(IEnumerable<double> values, double percentile) => OfSorted([.. values.Order()], percentile);
}
