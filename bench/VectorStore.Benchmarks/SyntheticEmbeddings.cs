using System.Numerics.Tensors;

namespace AspireMmRag.VectorStore.Benchmarks;

/// <summary>
/// Deterministic synthetic vectors. <see cref="Kind.Latent"/> is embedding-like: a Gaussian point in a low-dimensional
/// latent space, projected to the full dimension by a fixed random matrix, plus isotropic noise, normalized (real text
/// and image embeddings have a low intrinsic dimension, so near neighbours are well separated from the rest).
/// <see cref="Kind.Uniform"/> draws every component independently: a pathological case for any ANN index, because all
/// distances concentrate and ranks 2 to 10 are nearly tied.
/// </summary>
internal sealed class SyntheticEmbeddings
{
    public enum Kind
    {
        Latent,
        Uniform,
    }

    private readonly float[] _projection;

    public SyntheticEmbeddings(Kind kind, int dimension, int latent = 32, float noise = 0.5f, int projectionSeed = 1)
    {
        VectorKind = kind;
        Dimension = dimension;
        Latent = latent;
        Noise = noise;
        var random = new Random(projectionSeed);
        _projection = new float[dimension * latent];
        for (var i = 0; i < _projection.Length; i++)
        {
            _projection[i] = Gaussian(random);
        }
    }

    public Kind VectorKind { get; }

    public int Dimension { get; }

    public int Latent { get; }

    public float Noise { get; }

    public string Description => VectorKind == Kind.Latent
        ? $"{Latent}-d Gaussian latent × random {Latent}×{Dimension} projection + N(0, {Noise}²) noise per component, L2-normalized"
        : $"independent N(0,1) components, L2-normalized (uniform on the {Dimension}-d sphere)";

    /// <summary>Writes the vector of <paramref name="seed"/> into <paramref name="target"/>.</summary>
    public void Fill(long seed, Span<float> target)
    {
        var random = new Random(unchecked((int)(seed * 2654435761L ^ (seed >> 32)) ^ (int)VectorKind * 7919));
        if (VectorKind == Kind.Uniform)
        {
            for (var d = 0; d < target.Length; d++)
            {
                target[d] = Gaussian(random);
            }
        }
        else
        {
            Span<float> z = stackalloc float[Latent];
            for (var i = 0; i < z.Length; i++)
            {
                z[i] = Gaussian(random);
            }
            var scale = 1f / MathF.Sqrt(Latent);
            for (var d = 0; d < target.Length; d++)
            {
                target[d] = TensorPrimitives.Dot(_projection.AsSpan(d * Latent, Latent), z) * scale + Noise * Gaussian(random);
            }
        }
        TensorPrimitives.Divide(target, TensorPrimitives.Norm(target), target);
    }

    public float[] Vector(long seed)
    {
        var vector = new float[Dimension];
        Fill(seed, vector);
        return vector;
    }

    /// <summary>Rows [0, count) of seeds starting at <paramref name="firstSeed"/>, in one contiguous array (in parallel).</summary>
    public float[] Matrix(int count, long firstSeed)
    {
        var matrix = new float[(long)count * Dimension];
        Parallel.For(0, count, i => Fill(firstSeed + i, matrix.AsSpan((int)((long)i * Dimension), Dimension)));
        return matrix;
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
