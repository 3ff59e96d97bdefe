namespace AspireMmRag.Crawler.Crawling;

/// <summary>A crawl request that can never succeed as sent (unknown source, no titles, a bad title, a folder outside the
/// roots or missing). The consumer answers it with one <c>CrawlFailed</c> for <see cref="Target"/> (of <see cref="Kind"/>,
/// a <c>CrawlFailureKinds</c> value) and the request's <c>CrawlCompleted</c>; it is never retried.</summary>
public sealed class InvalidCrawlRequestException(string target, string kind, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Target { get; } = target;
    public string Kind { get; } = kind;
}
