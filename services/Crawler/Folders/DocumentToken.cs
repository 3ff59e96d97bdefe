namespace AspireMmRag.Crawler.Folders;

/// <summary>A heading (<see cref="HeadingLevel"/> 1–6), a piece of text (level 0) or an image (<see cref="Image"/>), in reading order.</summary>
public readonly record struct DocumentToken(int HeadingLevel, string Text, ImageReference? Image = null)
{
    public static DocumentToken Heading(int level, string text) => new(level, text);
    public static DocumentToken Body(string text) => new(0, text);
    public static DocumentToken ForImage(ImageReference image) => new(0, "", image);
    public bool IsHeading => HeadingLevel > 0;
}
