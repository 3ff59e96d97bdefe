namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>A page as the MediaWiki API gives it: normalized title, plain-text extract with <c>== Heading ==</c> markers, revision,
/// and the revision's wikitext ("" when the API gave none).</summary>
public sealed record WikipediaPage(string Title, string Extract, long RevisionId, DateTimeOffset? RevisionTimestamp, string? CanonicalUrl, string Wikitext = "");
