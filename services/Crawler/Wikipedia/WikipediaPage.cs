namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>A page as the MediaWiki API gives it: normalized title, plain-text extract with <c>== Heading ==</c> markers, revision.</summary>
public sealed record WikipediaPage(string Title, string Extract, long RevisionId, DateTimeOffset? RevisionTimestamp, string? CanonicalUrl);
