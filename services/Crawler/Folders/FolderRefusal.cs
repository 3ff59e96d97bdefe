namespace AspireMmRag.Crawler.Folders;

/// <summary>A file or folder left out of a crawl, and why (a link outside the root, unreadable, too large, …).
/// <see cref="DocumentId"/> is the id the file would have had as a document (a document file that could not be read), else null.</summary>
public sealed record FolderRefusal(string RelativePath, string Reason, string Message, string? DocumentId = null);
