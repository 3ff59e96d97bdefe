namespace AspireMmRag.Crawler.Folders;

/// <summary>A heading (<see cref="HeadingLevel"/> 1–6) or a piece of text (level 0), in reading order.</summary>
public readonly record struct DocumentToken(int HeadingLevel, string Text)
{
    public static DocumentToken Heading(int level, string text) => new(level, text);
    public static DocumentToken Body(string text) => new(0, text);
    public bool IsHeading => HeadingLevel > 0;
}
