namespace AspireMmRag.Crawler.Crawling;

/// <summary>A crawl request that can never succeed as sent (unknown source, no titles, a folder outside the roots): never retried.</summary>
public sealed class InvalidCrawlRequestException(string message, Exception? innerException = null) : Exception(message, innerException);
