namespace AspireMmRag.Messaging;

/// <summary>Asks the crawler to fetch documents: Wikipedia pages by title, or a folder under one of its configured roots.</summary>
public sealed record CrawlRequested
{
    public Guid RequestId { get; init; } = Guid.NewGuid();

    /// <summary><see cref="DocumentSources.Wikipedia"/> or <see cref="DocumentSources.Folder"/>.</summary>
    public required string Source { get; init; }

    /// <summary>Page titles, for Wikipedia.</summary>
    public IReadOnlyList<string> Titles { get; init; } = [];

    /// <summary>A folder, for folder sources: absolute, or relative to the first configured root; it must lie under a root.</summary>
    public string? Folder { get; init; }
}

public static class DocumentSources
{
    public const string Wikipedia = "wikipedia";
    public const string Folder = "folder";
}
