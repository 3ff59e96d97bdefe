namespace AspireMmRag.Crawler.Crawling;

/// <summary>Part of a crawl failed for a reason a retry would not fix (a refused URL, an API error); what succeeded was published.</summary>
public sealed class CrawlFailedException(string message, Exception? innerException = null) : Exception(message, innerException);
