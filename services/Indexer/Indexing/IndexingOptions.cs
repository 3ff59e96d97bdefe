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

    /// <summary>Documents indexed at once by one indexer (never two messages of one document: see <c>DocumentPartitioner</c>).</summary>
    public int ConcurrentDocuments { get; set; } = 2;

    /// <summary>How long the embedder's model ids (<see cref="IndexingVersion"/>) are used before they are asked again.</summary>
    public TimeSpan ModelCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The SQLite file of <see cref="DocumentStateStore"/>. Empty: <c>indexer-state.db</c> in the embedded vector
    /// store's directory (the state then lives and goes with the vectors it describes); with Milvus, a file per Milvus
    /// endpoint and database in the user's local application data.</summary>
    public string StateFile { get; set; } = "";
}
