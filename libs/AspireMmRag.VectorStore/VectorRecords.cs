namespace AspireMmRag.VectorStore;

/// <summary>The two collections.</summary>
public enum VectorCollection
{
    Passages,
    Images,
}

/// <summary>A chunk of a document's text with its passage-model vector.</summary>
public sealed record PassageRecord
{
    public required string Id { get; init; }
    public required string DocumentId { get; init; }
    public required string Source { get; init; }
    public required string Title { get; init; }
    public required string Url { get; init; }
    public required string Section { get; init; }
    public int ChunkIndex { get; init; }
    public required string Text { get; init; }
    public required string Revision { get; init; }

    /// <summary>L2-normalized. Empty in search results.</summary>
    public float[] Vector { get; init; } = [];
}

/// <summary>An image of a document with its CLIP vector; the bytes stay in the media store.</summary>
public sealed record ImageRecord
{
    public required string Id { get; init; }
    public required string DocumentId { get; init; }
    public required string Source { get; init; }
    public required string MediaRef { get; init; }
    public required string Caption { get; init; }
    public required string Attribution { get; init; }
    public required string Url { get; init; }
    public required string Revision { get; init; }

    /// <summary>L2-normalized. Empty in search results.</summary>
    public float[] Vector { get; init; } = [];
}

/// <summary>Top-k search with optional filters. Scores are cosine similarities (higher is closer).</summary>
public sealed record VectorSearchOptions
{
    public int TopK { get; init; } = 10;
    public string? DocumentId { get; init; }
    public string? Source { get; init; }
    public float MinScore { get; init; } = -1f;
}

public sealed record VectorSearchHit<T>(T Record, float Score);

/// <summary>The vector size of each collection.</summary>
public sealed record CollectionDimensions(int Passages, int Images);
