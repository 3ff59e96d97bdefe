using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Content;

/// <summary>
/// Where something sits in a document's outline: the path of the section it is under, then the paths of that section's
/// parents, nearest first; no paths in the lead section.
/// </summary>
public sealed record SectionPlacement(IReadOnlyList<string> Paths)
{
    public static readonly SectionPlacement Lead = new([]);

    /// <summary>The first of <see cref="Paths"/> that is a section of <paramref name="sections"/> (a section without text is
    /// not one, so its nearest parent with text is taken); "" when none is.</summary>
    public string SectionIn(IReadOnlyList<DocumentSection> sections) =>
        Paths.FirstOrDefault(path => sections.Any(section => section.Path == path)) ?? "";
}
