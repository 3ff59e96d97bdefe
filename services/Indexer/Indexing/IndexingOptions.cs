namespace AspireMmRag.Indexer.Indexing;

/// <summary>Bound from <c>Indexing</c>.</summary>
public sealed class IndexingOptions
{
    public const string SectionName = "Indexing";

    /// <summary>Passages per embedder call.</summary>
    public int PassageBatchSize { get; set; } = 32;

    /// <summary>Images per embedder call.</summary>
    public int ImageBatchSize { get; set; } = 8;

    /// <summary>Vector sizes used when the embedder cannot tell (e.g. CLIP not loaded yet).</summary>
    public int DefaultPassageDimension { get; set; } = 384;
    public int DefaultImageDimension { get; set; } = 512;

    /// <summary>Documents indexed at once by one indexer.</summary>
    public int ConcurrentDocuments { get; set; } = 2;
}
