namespace AspireMmRag.Crawler.Folders;

/// <summary>Turns one kind of file (by extension) into a title, sections and image references.</summary>
public interface IDocumentReader
{
    /// <summary>Extensions this reader handles, with the dot (".md").</summary>
    IReadOnlySet<string> Extensions { get; }

    /// <exception cref="Exception">The file is not readable as this kind of document.</exception>
    ParsedDocument Read(string fileName, byte[] content);
}
