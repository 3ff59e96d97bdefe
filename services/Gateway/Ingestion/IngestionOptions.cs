namespace AspireMmRag.Gateway.Ingestion;

/// <summary>Settings under <c>Ingestion</c>: what <c>POST /api/ingest</c> accepts.</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>The folders the crawler may read (the same list as its <c>Crawler:Folders:Roots</c>); a request names one by
    /// its last path segment.</summary>
    public string[]? FolderRoots { get; set; }

    /// <summary>The Wikipedia language the crawler reads: a URL must be on <c>{Language}.wikipedia.org</c>.</summary>
    public string WikipediaLanguage { get; set; } = "en";

    /// <summary>Most Wikipedia pages per request (the crawler takes at most 50 per crawl request).</summary>
    public int MaxTitles { get; set; } = 50;

    /// <summary>Time allowed for handing the crawl request to the broker.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an event stream waits for news before it reads the catalog again.</summary>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<string> EffectiveFolderRoots => FolderRoots ?? [];
}
