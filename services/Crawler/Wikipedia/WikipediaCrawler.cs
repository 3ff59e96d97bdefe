using System.Diagnostics;
using System.Globalization;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Telemetry;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Wikipedia;

/// <summary>
/// Crawls one Wikipedia page by title into a <see cref="DocumentCrawled"/>: its sections from the plain-text extract, its revision,
/// and its photos — downloaded (thumbnails), stored in the media store and referenced with caption, licence, artist and
/// attribution (HTML stripped), each in the section where the wikitext first references it (<see cref="WikitextImageSections"/>;
/// "" in the lead or when unknown). An image that cannot be fetched is skipped (counted with its reason); the page still is crawled.
/// </summary>
public sealed partial class WikipediaCrawler(
    MediaWikiClient client,
    IMediaStore media,
    IOptions<WikipediaOptions> options,
    CrawlerTelemetry telemetry,
    ILogger<WikipediaCrawler> logger)
{
    private readonly WikipediaOptions _options = options.Value;

    /// <summary>The page as a document, or null when it does not exist (logged as a warning).</summary>
    public async Task<DocumentCrawled?> CrawlAsync(string title, Guid? requestId, CancellationToken cancellationToken)
    {
        using var activity = CrawlerTelemetry.ActivitySource.StartActivity("crawl wikipedia page");
        activity?.SetTag("crawler.source", DocumentSources.Wikipedia);
        activity?.SetTag("crawler.title", title);

        var page = await client.GetPageAsync(title, cancellationToken);
        if (page is null)
        {
            LogMissingPage(logger, title, _options.Language);
            activity?.SetTag("crawler.page.missing", true);
            return null;
        }

        var sections = WikipediaExtractParser.Parse(page.Title, page.Extract);
        var images = await CollectImagesAsync(page, sections, cancellationToken);
        var document = new DocumentCrawled
        {
            DocumentId = WikipediaDocumentIds.For(_options.Language, page.Title),
            Source = DocumentSources.Wikipedia,
            Title = page.Title,
            Url = page.CanonicalUrl ?? WikipediaDocumentIds.PageUrl(_options.Language, page.Title),
            Revision = page.RevisionId.ToString(CultureInfo.InvariantCulture),
            ContentHash = ContentHasher.Compute(sections, images),
            Sections = sections,
            Images = images,
            RequestId = requestId,
        };
        activity?.SetTag("crawler.document.id", document.DocumentId);
        activity?.SetTag("crawler.sections", sections.Count);
        activity?.SetTag("crawler.images", images.Count);
        LogCrawled(logger, document.DocumentId, page.RevisionId, sections.Count, images.Count);
        return document;
    }

    private async Task<IReadOnlyList<DocumentImage>> CollectImagesAsync(WikipediaPage page, IReadOnlyList<DocumentSection> sections,
        CancellationToken cancellationToken)
    {
        if (_options.MaxImagesPerPage <= 0)
        {
            return [];
        }
        var candidates = await client.GetImagesAsync(page.Title, cancellationToken);
        var selection = WikipediaImageSelector.Select(candidates, _options.MaxImagesPerPage, _options.MinImageDimension);
        foreach (var (image, reason) in selection.Skipped)
        {
            Skip(image, reason);
        }

        var placed = WikitextImageSections.Find(page.Title, page.Wikitext, selection.Selected.Select(candidate => candidate.FileTitle), sections);
        var images = new List<DocumentImage>(selection.Selected.Count);
        foreach (var candidate in selection.Selected)
        {
            if (await DownloadAsync(candidate, cancellationToken) is { } image)
            {
                images.Add(image with { Section = placed.GetValueOrDefault(candidate.FileTitle, "") });
            }
        }
        return images;
    }

    private async Task<DocumentImage?> DownloadAsync(WikipediaImageCandidate candidate, CancellationToken cancellationToken)
    {
        using var activity = CrawlerTelemetry.ActivitySource.StartActivity("download image");
        activity?.SetTag("crawler.source", DocumentSources.Wikipedia);
        activity?.SetTag("crawler.image.title", candidate.FileTitle);
        activity?.SetTag("url.full", candidate.DownloadUrl);
        try
        {
            if (!Uri.TryCreate(candidate.DownloadUrl, UriKind.Absolute, out var uri))
            {
                return Skip(candidate, "no-url");
            }
            var bytes = await client.DownloadAsync(uri, _options.MaxImageBytes, cancellationToken);
            if (ImageFormat.Detect(bytes) is not { } format)
            {
                return Skip(candidate, "not-an-image");
            }
            var mediaRef = await media.PutAsync(bytes, cancellationToken);
            telemetry.ImageStored(DocumentSources.Wikipedia);
            activity?.SetTag("crawler.media_ref", mediaRef);

            var caption = HtmlText.Strip(candidate.DescriptionHtml);
            if (caption.Length == 0)
            {
                caption = HtmlText.Strip(candidate.ObjectNameHtml);
            }
            return new DocumentImage
            {
                MediaRef = mediaRef,
                SourceUrl = uri.AbsoluteUri,
                MimeType = format.MimeType,
                Width = format.Width,
                Height = format.Height,
                Caption = caption.Length > 0 ? caption : ImageCaptions.FromFileName(candidate.FileTitle),
                License = HtmlText.Strip(candidate.License),
                Artist = HtmlText.Strip(candidate.ArtistHtml),
                Attribution = HtmlText.Strip(candidate.AttributionHtml),
                DescriptionUrl = candidate.DescriptionUrl,
            };
        }
        catch (RequestRefusedException ex)
        {
            LogImageFailed(logger, ex, candidate.FileTitle, ex.Message);
            return Skip(candidate, "refused", activity);
        }
        catch (ResponseTooLargeException ex)
        {
            LogImageFailed(logger, ex, candidate.FileTitle, ex.Message);
            return Skip(candidate, "too-large", activity);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or TransientCrawlException or IOException)
        {
            LogImageFailed(logger, ex, candidate.FileTitle, ex.Message);
            return Skip(candidate, "download-failed", activity);
        }
    }

    private DocumentImage? Skip(WikipediaImageCandidate image, string reason, Activity? activity = null)
    {
        telemetry.ImageSkipped(DocumentSources.Wikipedia, reason);
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        LogImageSkipped(logger, image.FileTitle, reason);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Wikipedia page '{Title}' ({Language}) does not exist; nothing is published for it")]
    private static partial void LogMissingPage(ILogger logger, string title, string language);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crawled {DocumentId} at revision {Revision}: {Sections} sections, {Images} images")]
    private static partial void LogCrawled(ILogger logger, string documentId, long revision, int sections, int images);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped image {FileTitle}: {Reason}")]
    private static partial void LogImageSkipped(ILogger logger, string fileTitle, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch image {FileTitle}: {Error}")]
    private static partial void LogImageFailed(ILogger logger, Exception exception, string fileTitle, string error);
}
