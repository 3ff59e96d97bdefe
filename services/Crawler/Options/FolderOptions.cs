namespace AspireMmRag.Crawler.Options;

/// <summary>Local folder sources. Bound from <c>Crawler:Folders</c>.</summary>
public sealed class FolderOptions
{
    public const string SectionName = "Crawler:Folders";

    /// <summary>The only folders (and their subfolders) that may be crawled. A root's name (its last path segment) goes into
    /// document ids (<c>folder:{root name}/{relative path}</c>), so names must be unique.</summary>
    public string[]? Roots { get; set; }

    /// <summary>Deepest subfolder level walked below the requested folder.</summary>
    public int MaxDepth { get; set; } = 16;

    /// <summary>Most files (documents and images) taken from one crawl.</summary>
    public int MaxFiles { get; set; } = 10_000;

    /// <summary>Largest document file read (bytes).</summary>
    public long MaxDocumentBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Largest image file read (bytes).</summary>
    public long MaxImageBytes { get; set; } = 20L * 1024 * 1024;

    public IReadOnlyList<string> EffectiveRoots => Roots ?? [];
}
