using System.Numerics.Tensors;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Vector checks shared by writes and searches: length, finiteness, unit length.</summary>
internal static class VectorGuard
{
    /// <summary>
    /// A unit-length copy of <paramref name="vector"/> (stored and searched vectors are normalized, so cosine similarity
    /// is a dot product); throws <see cref="ArgumentException"/> for a wrong length, NaN, infinity or a zero vector.
    /// </summary>
    public static float[] Normalized(float[]? vector, int dimensions, string collection, string what, string parameterName)
    {
        if (vector is null)
        {
            throw new ArgumentException($"{what} has no vector.", parameterName);
        }
        if (vector.Length != dimensions)
        {
            throw new ArgumentException(
                $"{what} has a vector of {vector.Length} dimensions; the {collection} collection has {dimensions}.", parameterName);
        }
        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
            {
                throw new ArgumentException($"{what} has a NaN or infinite value at index {i}.", parameterName);
            }
        }
        var norm = TensorPrimitives.Norm(vector);
        if (!(norm > 0f) || !float.IsFinite(norm))
        {
            throw new ArgumentException($"{what} has a zero vector (no direction to compare).", parameterName);
        }
        var copy = new float[vector.Length];
        if (Math.Abs(norm - 1f) > 1e-4f)
        {
            TensorPrimitives.Divide(vector, norm, copy);
        }
        else
        {
            vector.CopyTo(copy, 0);
        }
        return copy;
    }
}
