using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>What a <see cref="CrawlFailed.Target"/> names when the whole request failed: the folder, else the titles, else the
/// request itself — shortened to fit a log line or a status page.</summary>
public static class CrawlRequestTargets
{
    public static string Of(CrawlRequested request)
    {
        if (!string.IsNullOrWhiteSpace(request.Folder))
        {
            return Shorten(request.Folder);
        }
        var titles = (request.Titles ?? []).Where(title => !string.IsNullOrWhiteSpace(title)).ToArray();
        return titles.Length > 0 ? Shorten(string.Join(", ", titles), 200) : $"crawl request {request.RequestId}";
    }

    public static string Shorten(string value, int length = 80) => value.Length <= length ? value : value[..length] + "…";
}
