using AngleSharp.Html.Parser;

namespace AspireMmRag.Crawler.Content;

/// <summary>The text of an HTML snippet (Commons descriptions and artists come as HTML), tags dropped, entities decoded.</summary>
public static class HtmlText
{
    private static readonly HtmlParser Parser = new();

    public static string Strip(string? html, int maxLength = 2000)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }
        using var document = Parser.ParseDocument($"<!DOCTYPE html><html><body>{html}</body></html>");
        foreach (var element in document.QuerySelectorAll("script, style"))
        {
            element.Remove();
        }
        var text = TextCleanup.OneLine(document.Body?.TextContent ?? "");
        return text.Length <= maxLength ? text : text[..maxLength].TrimEnd() + "…";
    }
}
