using AspireMmRag.Crawler.Crawling;

namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>Wikimedia kept answering "slow down" (429/503, maxlag, ratelimited) after every allowed retry.</summary>
public sealed class WikipediaThrottledException(string message) : TransientCrawlException(message);
