namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>Ids and URLs of Wikipedia documents: <c>wikipedia:{lang}:{title}</c> with the API's normalized title, spaces as
/// underscores (as in the page's URL): <c>wikipedia:en:The_Sopranos</c>.</summary>
public static class WikipediaDocumentIds
{
    public static string For(string language, string normalizedTitle) => $"wikipedia:{language}:{normalizedTitle.Trim().Replace(' ', '_')}";

    /// <summary>The id a page the API did not return would have had: <paramref name="requestedTitle"/> normalized as MediaWiki
    /// does for Wikipedia's main namespace (underscores as spaces, runs of spaces collapsed, first letter upper-cased).
    /// Redirects are not known here, so use it only where there is no page (a missing title).</summary>
    public static string ForRequestedTitle(string language, string requestedTitle)
    {
        var title = string.Join(' ', requestedTitle.Replace('_', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return For(language, title.Length == 0 ? title : char.ToUpperInvariant(title[0]) + title[1..]);
    }

    public static string PageUrl(string language, string normalizedTitle) =>
        $"https://{language}.wikipedia.org/wiki/{Uri.EscapeDataString(normalizedTitle.Trim().Replace(' ', '_'))}";
}
