namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>One file used on a page, with its imageinfo and the extmetadata fields the crawler keeps (still HTML).</summary>
public sealed record WikipediaImageCandidate
{
    /// <summary>"File:Helsinki Cathedral.jpg".</summary>
    public required string FileTitle { get; init; }
    public string? Url { get; init; }
    public string? ThumbUrl { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public long Size { get; init; }
    public string Mime { get; init; } = "";
    public string DescriptionUrl { get; init; } = "";
    public string DescriptionHtml { get; init; } = "";
    public string ObjectNameHtml { get; init; } = "";
    public string License { get; init; } = "";
    public string ArtistHtml { get; init; } = "";
    public string AttributionHtml { get; init; } = "";

    /// <summary>The thumbnail when the API made one (<c>iiurlwidth</c>), else the original.</summary>
    public string? DownloadUrl => string.IsNullOrEmpty(ThumbUrl) ? Url : ThumbUrl;
}
