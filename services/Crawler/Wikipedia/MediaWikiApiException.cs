namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>The MediaWiki API refused a request (an API error other than throttling, or an HTTP 4xx): retrying will not help.</summary>
public sealed class MediaWikiApiException(string message, string? code = null) : Exception(message)
{
    public string? Code { get; } = code;
}
