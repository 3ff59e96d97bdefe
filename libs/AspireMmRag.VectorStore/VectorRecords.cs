namespace AspireMmRag.VectorStore;

/// <summary>The collections. <see cref="ImageCaptions"/> holds the same image records as <see cref="Images"/>, with the
/// passage-model vector of each image's caption text instead of its CLIP vector, so images stay findable by their
/// captions when no CLIP model is available.</summary>
public enum VectorCollection
{
    Passages,
    Images,
    ImageCaptions,
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

/// <summary>An image of a document with its CLIP vector (in <see cref="VectorCollection.Images"/>) or its caption's
/// passage-model vector (in <see cref="VectorCollection.ImageCaptions"/>); the bytes stay in the media store.</summary>
public sealed record ImageRecord
{
    public required string Id { get; init; }
    public required string DocumentId { get; init; }
    public required string Source { get; init; }
    public required string MediaRef { get; init; }
    public required string Caption { get; init; }
    public required string Attribution { get; init; }

    /// <summary>The URL of the document the image belongs to.</summary>
    public required string Url { get; init; }
    public required string Revision { get; init; }

    /// <summary>The document's title.</summary>
    public string Title { get; init; } = "";

    /// <summary>The section path the image appears in ("History › Swedish era"); empty for the document as a whole.</summary>
    public string Section { get; init; } = "";

    /// <summary>The image file's own URL (for a folder document, its path relative to the folder root).</summary>
    public string SourceUrl { get; init; } = "";

    /// <summary>The page that describes the image (e.g. its File: page), when there is one.</summary>
    public string DescriptionUrl { get; init; } = "";

    public string License { get; init; } = "";

    /// <summary>The stored bytes' content type (image/png, image/jpeg...).</summary>
    public string MimeType { get; init; } = "";

    /// <summary>L2-normalized. Empty in search results.</summary>
    public float[] Vector { get; init; } = [];
}

/// <summary>Top-k search with optional filters. Scores are cosine similarities (higher is closer).</summary>
/// <summary>A filter set (non-null and non-empty) keeps the rows whose value is one of its values; filters are applied
/// by the store before ranking, never to a short list afterwards.</summary>
public sealed record VectorSearchOptions
{
    public int TopK { get; init; } = 10;
    public IReadOnlyCollection<string>? DocumentIds { get; init; }
    public IReadOnlyCollection<string>? Sources { get; init; }
    public float MinScore { get; init; } = -1f;
}

public sealed record VectorSearchHit<T>(T Record, float Score);

/// <summary>The vector size of each collection: passages and image captions use the passage model, images CLIP.</summary>
public sealed record CollectionDimensions(int Passages, int Images)
{
    public int ImageCaptions => Passages;
}
