namespace AspireMmRag.Messaging;

/// <summary>Progress of one document through the indexer (the gateway streams these to clients).</summary>
public sealed record DocumentIndexingProgress
{
    public required string DocumentId { get; init; }
    public required string Revision { get; init; }

    /// <summary>The <see cref="DocumentCrawled.RequestId"/> of the crawl that produced the document, when there was one.</summary>
    public Guid? RequestId { get; init; }
    public string Title { get; init; } = "";
    public string Url { get; init; } = "";
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
    public Guid? RequestId { get; init; }
}

/// <summary>A document is fully indexed (or was already: <see cref="Unchanged"/>), with what a catalog shows of it.</summary>
public sealed record DocumentIndexed
{
    public required string DocumentId { get; init; }
    public required string Revision { get; init; }
    public Guid? RequestId { get; init; }
    public string Source { get; init; } = "";
    public string Title { get; init; } = "";
    public string Url { get; init; } = "";
    public int Chunks { get; init; }
    public int Images { get; init; }
    public int ImagesFailed { get; init; }
    public bool Unchanged { get; init; }
    public int StaleRemoved { get; init; }

    /// <summary>The document's section paths, in reading order.</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];

    /// <summary>The images that are indexed (failed ones are left out).</summary>
    public IReadOnlyList<IndexedImage> IndexedImages { get; init; } = [];
    public DateTimeOffset IndexedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>An indexed image of a <see cref="DocumentIndexed"/>, with its credits.</summary>
public sealed record IndexedImage
{
    public required string MediaRef { get; init; }
    public string Caption { get; init; } = "";
    public string Attribution { get; init; } = "";
    public string License { get; init; } = "";
    public string Section { get; init; } = "";
    public string SourceUrl { get; init; } = "";
    public string DescriptionUrl { get; init; } = "";
    public int Width { get; init; }
    public int Height { get; init; }
}

/// <summary>A document and all its chunks and images were removed from the store.</summary>
public sealed record DocumentRemoved
{
    public required string DocumentId { get; init; }
    public long Removed { get; init; }
}
