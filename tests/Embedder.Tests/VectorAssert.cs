namespace AspireMmRag.Embedder.Tests;

public static class VectorAssert
{
    public static float Cosine(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.Equal(a.Count, b.Count);
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return (float)(dot / Math.Sqrt(na * nb));
    }

    public static void UnitLength(IReadOnlyList<float> vector, float tolerance = 1e-4f)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        Assert.InRange(norm, 1 - tolerance, 1 + tolerance);
    }

    public static void Close(IReadOnlyList<float> expected, IReadOnlyList<float> actual, float tolerance = 1e-4f)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"component {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
