namespace AspireMmRag.Crawler.Folders;

/// <summary>A file or folder left out of a crawl, and why (a link outside the root, unreadable, too large, …).</summary>
public sealed record FolderRefusal(string RelativePath, string Reason, string Message);
