namespace AspireMmRag.Crawler.Folders;

/// <summary>A file met while walking: its name, its path relative to the root as walked ('/' separators) and its real path,
/// checked to lie under the root.</summary>
public sealed record FolderEntry(string Name, string RelativePath, string RealPath);
