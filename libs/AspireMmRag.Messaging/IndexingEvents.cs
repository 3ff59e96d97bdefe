namespace AspireMmRag.Messaging;

/// <summary>Progress of one document through the indexer (the gateway streams these to clients).</summary>
public sealed record DocumentIndexingProgress
{
    public required string DocumentId { get; init; }
    public required string Revision { get; init; }
    public int ChunksDone { get; init; }
    public int ChunksTotal { get; init; }
    public int ImagesDone { get; init; }
    public int ImagesFailed { get; init; }
    public int ImagesTotal { get; init; }
}

/// <summary>An image of a document could not be indexed; the document's other content still is.</summary>
public sealed record ImageIndexingFailed
{
    public required string DocumentId { get; init; }
    public required string MediaRef { get; init; }
    public required string Reason { get; init; }
}

/// <summary>A document is fully indexed (or was already: <see cref="Unchanged"/>).</summary>
public sealed record DocumentIndexed
{
    public required string DocumentId { get; init; }
    public required string Revision { get; init; }
    public int Chunks { get; init; }
    public int Images { get; init; }
    public int ImagesFailed { get; init; }
    public bool Unchanged { get; init; }
    public int StaleRemoved { get; init; }
}

/// <summary>A document and all its chunks and images were removed from the store.</summary>
public sealed record DocumentRemoved
{
    public required string DocumentId { get; init; }
    public long Removed { get; init; }
}
