namespace AspireMmRag.Crawler.Crawling;

/// <summary>A failure that may go away by itself (network, timeouts, throttling): the only kind a crawl request is retried for.</summary>
public class TransientCrawlException(string message, Exception? innerException = null) : Exception(message, innerException);
