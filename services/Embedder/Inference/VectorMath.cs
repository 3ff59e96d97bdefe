using System.Numerics.Tensors;

namespace AspireMmRag.Embedder.Inference;

public static class VectorMath
{
    /// <summary>Copies row <paramref name="row"/> of a [rows, dimension] buffer into a new L2-normalized vector.</summary>
    public static float[] NormalizedRow(ReadOnlySpan<float> matrix, int row, int dimension)
    {
        var vector = matrix.Slice(row * dimension, dimension).ToArray();
        NormalizeInPlace(vector);
        return vector;
    }

    public static void NormalizeInPlace(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (!float.IsFinite(norm))
        {
            throw new InvalidOperationException("The model produced a non-finite embedding.");
        }
        if (norm > 0f)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
