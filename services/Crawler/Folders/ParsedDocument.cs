using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Folders;

/// <summary>What a reader got out of a file: its title, its sections and the images it references.</summary>
public sealed record ParsedDocument(string Title, IReadOnlyList<DocumentSection> Sections, IReadOnlyList<ImageReference> Images);
