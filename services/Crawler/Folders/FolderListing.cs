namespace AspireMmRag.Crawler.Folders;

/// <summary>The files of one folder (not its subfolders), checked and sorted by name.</summary>
public sealed record FolderListing(string RelativePath, string RealPath, IReadOnlyList<FolderEntry> Files);
