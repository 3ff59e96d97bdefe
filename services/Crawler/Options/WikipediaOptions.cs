namespace AspireMmRag.Crawler.Options;

/// <summary>How the crawler talks to the MediaWiki API. Bound from <c>Crawler:Wikipedia</c>.</summary>
public sealed class WikipediaOptions
{
    public const string SectionName = "Crawler:Wikipedia";

    public const string DefaultUserAgent =
        "AspireMmRag/1.0 (https://github.com/aspire-mm-rag/aspire-mm-rag; set Crawler:Wikipedia:UserAgent to your contact) .NET";

    /// <summary>The wiki's <c>api.php</c>. It must match <see cref="Language"/> (the language goes into document ids).</summary>
    public string ApiEndpoint { get; set; } = "https://en.wikipedia.org/w/api.php";

    /// <summary>The wiki's language code, used in document ids (<c>wikipedia:en:Helsinki</c>) and for image descriptions.</summary>
    public string Language { get; set; } = "en";

    /// <summary>Most images kept per page (after skipping svg, icons and other types); 0 keeps none.</summary>
    public int MaxImagesPerPage { get; set; } = 20;

    /// <summary>Width of the thumbnails asked for (<c>iiurlwidth</c>); the thumbnail is downloaded instead of the original.</summary>
    public int ImageWidth { get; set; } = 800;

    /// <summary>Images whose original width or height is below this are treated as icons and skipped.</summary>
    public int MinImageDimension { get; set; } = 100;

    /// <summary>Wikimedia requires a descriptive User-Agent with contact information.</summary>
    public string UserAgent { get; set; } = DefaultUserAgent;

    /// <summary>The <c>maxlag</c> parameter sent with every API call (seconds); Wikimedia recommends 5.</summary>
    public int MaxLag { get; set; } = 5;

    /// <summary>Time allowed for one HTTP request, headers and body.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a throttling answer (HTTP 429/503, API error maxlag/ratelimited) before giving up.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Wait before the first retry when the server gives no Retry-After; doubles on each retry.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two attempts, whatever Retry-After says.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest API response read (bytes); larger ones are cut off with an error.</summary>
    public long MaxApiResponseBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Largest image downloaded (bytes); larger ones are cut off and skipped.</summary>
    public long MaxImageBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Continuation rounds followed when a page's image list comes in several parts.</summary>
    public int MaxContinuations { get; set; } = 10;
}
