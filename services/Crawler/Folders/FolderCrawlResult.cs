namespace AspireMmRag.Crawler.Folders;

/// <summary>How a folder crawl went: documents published, and files refused or unreadable.</summary>
public sealed record FolderCrawlResult(int DocumentsPublished, IReadOnlyList<FolderRefusal> Refusals);
