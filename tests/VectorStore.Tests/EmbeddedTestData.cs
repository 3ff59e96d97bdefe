using System.Numerics.Tensors;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>Records and embedding-like vectors (a low-dimensional latent projected up, plus noise, normalized).</summary>
internal sealed class EmbeddedTestData
{
    private readonly Random _random;
    private readonly float[] _projection;
    private readonly int _latent;

    public EmbeddedTestData(int dimension, int seed = 7, int latent = 16)
    {
        Dimension = dimension;
        _latent = latent;
        _random = new Random(seed);
        _projection = new float[dimension * latent];
        for (var i = 0; i < _projection.Length; i++)
        {
            _projection[i] = Gaussian();
        }
    }

    public int Dimension { get; }

    public float[] Vector()
    {
        var z = new float[_latent];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = Gaussian();
        }
        var vector = new float[Dimension];
        var scale = 1f / MathF.Sqrt(_latent);
        for (var d = 0; d < Dimension; d++)
        {
            vector[d] = TensorPrimitives.Dot(_projection.AsSpan(d * _latent, _latent), z) * scale + 0.5f * Gaussian();
        }
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    public static PassageRecord Passage(string id, float[] vector, string documentId = "doc-1", string source = "wiki", string revision = "r1") => new()
    {
        Id = id,
        DocumentId = documentId,
        Source = source,
        Title = $"Title of {id}",
        Url = $"https://example.org/{documentId}",
        Section = "Intro",
        ChunkIndex = 3,
        Text = $"Text of {id}",
        Revision = revision,
        Vector = vector,
    };

    public static ImageRecord Image(string id, float[] vector, string documentId = "doc-1", string source = "wiki") => new()
    {
        Id = id,
        DocumentId = documentId,
        Source = source,
        MediaRef = $"media/{id}.png",
        Caption = $"Caption of {id}",
        Attribution = "CC-BY",
        Url = $"https://example.org/{documentId}",
        Revision = "r1",
        Title = $"Title of {documentId}",
        Section = "History › Swedish era",
        SourceUrl = $"https://upload.example.org/{id}.png",
        DescriptionUrl = $"https://example.org/File:{id}.png",
        License = "CC BY-SA 4.0",
        MimeType = "image/png",
        Vector = vector,
    };

    /// <summary>A vector close to <paramref name="center"/> (cosine well above that of unrelated vectors).</summary>
    public float[] Near(float[] center, float noise = 0.3f)
    {
        var other = Vector();
        var vector = new float[Dimension];
        for (var d = 0; d < Dimension; d++)
        {
            vector[d] = center[d] + noise * other[d];
        }
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    /// <summary>The ids of the exact top-k by dot product (vectors are normalized).</summary>
    public static List<string> ExactTopK(IReadOnlyList<PassageRecord> rows, float[] query, int k) =>
        rows.OrderByDescending(r => TensorPrimitives.Dot(r.Vector, query)).Take(k).Select(r => r.Id).ToList();

    private float Gaussian() =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()));
}
