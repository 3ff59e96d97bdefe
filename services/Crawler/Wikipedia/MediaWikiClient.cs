using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Telemetry;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>
/// The MediaWiki Action API as the crawler uses it, following Wikimedia's etiquette: a descriptive User-Agent, requests strictly
/// one at a time (API calls and image downloads alike, across all concurrent crawls of this instance), <c>maxlag</c> on every
/// API call, and a bounded back-off on HTTP 429/503 and on the API errors <c>maxlag</c>/<c>ratelimited</c> that honours
/// Retry-After (the gate stays held while waiting, so nothing else is sent meanwhile).
/// </summary>
public sealed partial class MediaWikiClient(
    GuardedHttpClient http,
    IOptions<WikipediaOptions> options,
    CrawlerTelemetry telemetry,
    TimeProvider time,
    ILogger<MediaWikiClient> logger) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] ImageMetadataFields = ["ImageDescription", "ObjectName", "LicenseShortName", "Artist", "Attribution"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly WikipediaOptions _options = options.Value;

    /// <summary>The page's plain-text extract (sections marked <c>== Heading ==</c>), revision, the revision's wikitext (in the
    /// same request) and canonical URL; null when the page does not exist (or the title is invalid). Redirects are followed.</summary>
    public async Task<WikipediaPage?> GetPageAsync(string title, CancellationToken cancellationToken)
    {
        var response = await QueryAsync(
        [
            ("prop", "extracts|revisions|info"),
            ("explaintext", "1"),
            ("exsectionformat", "wiki"),
            ("rvprop", "ids|timestamp|content"),
            ("rvslots", "main"),
            ("inprop", "url"),
            ("redirects", "1"),
            ("titles", title),
        ], cancellationToken);

        var page = response.Query?.Pages.FirstOrDefault()
            ?? throw new MediaWikiApiException($"The MediaWiki API answered without a page for '{title}'.");
        if (page.Missing || page.Invalid)
        {
            return null;
        }
        var revision = page.Revisions?.FirstOrDefault();
        var wikitext = revision?.Slots is { } slots && slots.TryGetValue("main", out var main) ? main.Content ?? "" : "";
        return new WikipediaPage(page.Title, page.Extract ?? "", revision?.RevisionId ?? page.LastRevisionId ?? 0, revision?.Timestamp,
            page.CanonicalUrl ?? page.FullUrl, wikitext);
    }

    /// <summary>The files used on the page with their imageinfo (thumbnail at <see cref="WikipediaOptions.ImageWidth"/>) and
    /// licence metadata, in the API's order (by title). Continuations are followed up to <see cref="WikipediaOptions.MaxContinuations"/>.</summary>
    public async Task<IReadOnlyList<WikipediaImageCandidate>> GetImagesAsync(string pageTitle, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, MediaWikiPageJson>(StringComparer.Ordinal);
        var order = new List<string>();
        IReadOnlyList<(string, string)> continuation = [];
        for (var round = 0; round <= _options.MaxContinuations; round++)
        {
            var response = await QueryAsync(
            [
                ("generator", "images"),
                ("gimlimit", "max"),
                ("prop", "imageinfo"),
                ("iiprop", "url|mime|size|extmetadata"),
                ("iiurlwidth", _options.ImageWidth.ToString(CultureInfo.InvariantCulture)),
                ("iiextmetadatafilter", string.Join('|', ImageMetadataFields)),
                ("iiextmetadatalanguage", _options.Language),
                ("redirects", "1"),
                ("titles", pageTitle),
                .. continuation,
            ], cancellationToken);

            foreach (var file in response.Query?.Pages ?? [])
            {
                if (!files.TryGetValue(file.Title, out var known))
                {
                    order.Add(file.Title);
                    files[file.Title] = file;
                }
                else if (known.ImageInfo is not { Count: > 0 } && file.ImageInfo is { Count: > 0 })
                {
                    files[file.Title] = file;
                }
            }

            if (response.Continue is not { Count: > 0 } next)
            {
                break;
            }
            continuation = next.Select(pair => (pair.Key, pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString() ?? "" : pair.Value.GetRawText())).ToArray();
        }

        return order.Select(title => ToCandidate(files[title])).ToArray();
    }

    /// <summary>Downloads an image (through the same serial gate and back-off as the API).</summary>
    /// <exception cref="HttpRequestException">The server answered with an error status.</exception>
    public Task<byte[]> DownloadAsync(Uri uri, long maxBytes, CancellationToken cancellationToken) =>
        SendSeriallyAsync(uri, maxBytes, response =>
        {
            if (ThrottleReason(response) is { } reason)
            {
                return Attempt<byte[]>.Throttled(reason);
            }
            if (!response.IsSuccess)
            {
                throw new HttpRequestException($"GET {uri.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
            }
            return Attempt<byte[]>.Done(response.Body);
        }, cancellationToken);

    private Task<MediaWikiResponse> QueryAsync(IReadOnlyList<(string Name, string Value)> parameters, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("action=query&format=json&formatversion=2&maxlag=")
            .Append(_options.MaxLag.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in parameters)
        {
            query.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        var uri = new UriBuilder(_options.ApiEndpoint) { Query = query.ToString() }.Uri;

        return SendSeriallyAsync(uri, _options.MaxApiResponseBytes, response =>
        {
            if (ThrottleReason(response) is { } reason)
            {
                return Attempt<MediaWikiResponse>.Throttled(reason);
            }
            if ((int)response.StatusCode >= 500)
            {
                throw new TransientCrawlException($"The MediaWiki API answered HTTP {(int)response.StatusCode}.");
            }
            if (!response.IsSuccess)
            {
                throw new MediaWikiApiException($"The MediaWiki API answered HTTP {(int)response.StatusCode}.");
            }

            MediaWikiResponse? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<MediaWikiResponse>(response.Body, Json);
            }
            catch (JsonException ex)
            {
                throw new TransientCrawlException($"The MediaWiki API answered with something that is not its JSON ({response.ContentType}).", ex);
            }
            if (parsed?.Error is { } error)
            {
                return error.Code is "maxlag" or "ratelimited"
                    ? Attempt<MediaWikiResponse>.Throttled(error.Code)
                    : throw new MediaWikiApiException($"The MediaWiki API refused the request: {error.Code}: {error.Info}", error.Code);
            }
            return Attempt<MediaWikiResponse>.Done(parsed ?? new MediaWikiResponse());
        }, cancellationToken);
    }

    private async Task<T> SendSeriallyAsync<T>(Uri uri, long maxBytes, Func<HttpFetchResponse, Attempt<T>> interpret, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var response = await http.GetAsync(new HttpFetchRequest(uri, maxBytes, _options.RequestTimeout, _options.UserAgent), cancellationToken);
                var result = interpret(response);
                if (result.ThrottleReason is null)
                {
                    return result.Value!;
                }
                if (attempt >= _options.MaxRetries)
                {
                    LogGaveUp(logger, uri.GetLeftPart(UriPartial.Path), attempt + 1, result.ThrottleReason);
                    throw new WikipediaThrottledException(
                        $"Gave up on {uri.GetLeftPart(UriPartial.Path)} after {attempt + 1} attempts: Wikimedia kept answering '{result.ThrottleReason}' (asked to slow down).");
                }
                var delay = BackoffDelay(attempt, response.RetryAfter);
                telemetry.Backoff(result.ThrottleReason);
                LogBackingOff(logger, uri.GetLeftPart(UriPartial.Path), result.ThrottleReason, delay.TotalSeconds, attempt + 1, _options.MaxRetries);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private TimeSpan BackoffDelay(int attempt, TimeSpan? retryAfter)
    {
        var delay = retryAfter ?? _options.InitialBackoff * Math.Pow(2, attempt);
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > _options.MaxBackoff ? _options.MaxBackoff : delay;
    }

    private static string? ThrottleReason(HttpFetchResponse response) => response.StatusCode switch
    {
        HttpStatusCode.TooManyRequests => "http-429",
        HttpStatusCode.ServiceUnavailable => "http-503",
        _ => null,
    };

    private static WikipediaImageCandidate ToCandidate(MediaWikiPageJson file)
    {
        var info = file.ImageInfo?.FirstOrDefault();
        return new WikipediaImageCandidate
        {
            FileTitle = file.Title,
            Url = info?.Url,
            ThumbUrl = info?.ThumbUrl,
            Width = info?.Width ?? 0,
            Height = info?.Height ?? 0,
            Size = info?.Size ?? 0,
            Mime = info?.Mime ?? "",
            DescriptionUrl = info?.DescriptionUrl ?? "",
            DescriptionHtml = Metadata(info, "ImageDescription"),
            ObjectNameHtml = Metadata(info, "ObjectName"),
            License = Metadata(info, "LicenseShortName"),
            ArtistHtml = Metadata(info, "Artist"),
            AttributionHtml = Metadata(info, "Attribution"),
        };
    }

    private static string Metadata(MediaWikiImageInfoJson? info, string field) =>
        info?.ExtMetadata?.TryGetValue(field, out var entry) == true
            ? entry.Value.ValueKind switch
            {
                JsonValueKind.String => entry.Value.GetString() ?? "",
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => entry.Value.GetRawText(),
                _ => "",
            }
            : "";

    public void Dispose() => _gate.Dispose();

    private readonly record struct Attempt<T>(T? Value, string? ThrottleReason)
    {
        public static Attempt<T> Done(T value) => new(value, null);
        public static Attempt<T> Throttled(string reason) => new(default, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wikimedia asked to slow down ({Reason}) for {Uri}; waiting {DelaySeconds:0.#} s before retry {Retry} of {MaxRetries}")]
    private static partial void LogBackingOff(ILogger logger, string uri, string reason, double delaySeconds, int retry, int maxRetries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up on {Uri} after {Attempts} attempts: Wikimedia kept answering {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string uri, int attempts, string reason);
}
