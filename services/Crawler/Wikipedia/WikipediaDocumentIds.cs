namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>Ids and URLs of Wikipedia documents: <c>wikipedia:{lang}:{title}</c> with the API's normalized title, spaces as
/// underscores (as in the page's URL): <c>wikipedia:en:The_Sopranos</c>.</summary>
public static class WikipediaDocumentIds
{
    public static string For(string language, string normalizedTitle) => $"wikipedia:{language}:{normalizedTitle.Trim().Replace(' ', '_')}";

    public static string PageUrl(string language, string normalizedTitle) =>
        $"https://{language}.wikipedia.org/wiki/{Uri.EscapeDataString(normalizedTitle.Trim().Replace(' ', '_'))}";
}
