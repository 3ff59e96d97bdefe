namespace AspireMmRag.Messaging;

/// <summary>
/// One crawled document, published once per document. Image bytes are never in the message: each image is stored once,
/// content-addressed, in the media store and referenced by <see cref="DocumentImage.MediaRef"/>.
/// </summary>
public sealed record DocumentCrawled
{
    /// <summary>Stable across crawls: <c>wikipedia:en:Helsinki</c>, <c>folder:{root name}/{relative path}</c>.</summary>
    public required string DocumentId { get; init; }
    public required string Source { get; init; }
    public required string Title { get; init; }
    public required string Url { get; init; }

    /// <summary>The source's revision (MediaWiki revision id; for a folder document its <see cref="ContentHash"/>).</summary>
    public required string Revision { get; init; }

    /// <summary>sha256 over the sections and image references: same hash, same content.</summary>
    public required string ContentHash { get; init; }

    public IReadOnlyList<DocumentSection> Sections { get; init; } = [];
    public IReadOnlyList<DocumentImage> Images { get; init; } = [];
    public DateTimeOffset CrawledAt { get; init; } = DateTimeOffset.UtcNow;
    public Guid? RequestId { get; init; }
}

/// <summary>A section of a document, in reading order. <see cref="Path"/> names it with its parents ("History › Swedish era").</summary>
public sealed record DocumentSection
{
    public required string Title { get; init; }
    public required string Path { get; init; }
    public int Level { get; init; }
    public required string Text { get; init; }
}

/// <summary>An image of a document with what is needed to show and credit it.</summary>
public sealed record DocumentImage
{
    /// <summary>The media store reference: the lowercase hex sha256 of the bytes.</summary>
    public required string MediaRef { get; init; }
    public required string SourceUrl { get; init; }
    public required string MimeType { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public string Caption { get; init; } = "";
    public string License { get; init; } = "";
    public string Artist { get; init; } = "";
    public string Attribution { get; init; } = "";
    /// <summary>The page that describes the image (e.g. its File: page), when there is one.</summary>
    public string DescriptionUrl { get; init; } = "";

    /// <summary>The <see cref="DocumentSection.Path"/> of the section the image appears in; empty when it belongs to the
    /// document as a whole (a lead image, or a place the source does not tell).</summary>
    public string Section { get; init; } = "";
}

/// <summary>Removes a document and everything indexed from it.</summary>
public sealed record DocumentDeleteRequested
{
    public required string DocumentId { get; init; }
}
