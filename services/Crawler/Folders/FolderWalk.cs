namespace AspireMmRag.Crawler.Folders;

/// <summary>The folders found under a requested folder, and what was refused on the way.</summary>
public sealed record FolderWalk(IReadOnlyList<FolderListing> Listings, IReadOnlyList<FolderRefusal> Refusals);
