using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Folders;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.Messaging;
using MassTransit;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>
/// Crawls what a <see cref="CrawlRequested"/> asks for and publishes one <see cref="DocumentCrawled"/> per document.
/// A bad request (unknown source, no titles, a folder outside the roots) is logged and fails with
/// <see cref="InvalidCrawlRequestException"/>, which is not retried: the message goes to the error queue. Titles are crawled one
/// after another; when some fail, the others are still published and the message then fails — with
/// <see cref="TransientCrawlException"/> (retried, see <see cref="CrawlRequestedConsumerDefinition"/>) when every failure may
/// pass (network, throttling), else with <see cref="CrawlFailedException"/>.
/// </summary>
public sealed partial class CrawlRequestedConsumer(
    WikipediaCrawler wikipedia,
    FolderCrawler folders,
    DocumentPublisher publisher,
    ILogger<CrawlRequestedConsumer> logger) : IConsumer<CrawlRequested>
{
    public const int MaxTitlesPerRequest = 50;

    public async Task Consume(ConsumeContext<CrawlRequested> context)
    {
        var request = context.Message;
        switch (request.Source)
        {
            case DocumentSources.Wikipedia:
                await CrawlWikipediaAsync(context);
                break;
            case DocumentSources.Folder:
                await CrawlFolderAsync(context);
                break;
            default:
                throw Invalid(request, $"Unknown crawl source '{request.Source}' (expected '{DocumentSources.Wikipedia}' or '{DocumentSources.Folder}').");
        }
    }

    private async Task CrawlWikipediaAsync(ConsumeContext<CrawlRequested> context)
    {
        var request = context.Message;
        var titles = (request.Titles ?? []).Where(title => !string.IsNullOrWhiteSpace(title)).Select(title => title.Trim()).Distinct(StringComparer.Ordinal).ToArray();
        if (titles.Length == 0)
        {
            throw Invalid(request, "A Wikipedia crawl request needs at least one title.");
        }
        if (titles.Length > MaxTitlesPerRequest)
        {
            throw Invalid(request, $"A Wikipedia crawl request may name at most {MaxTitlesPerRequest} titles ({titles.Length} given).");
        }
        if (titles.FirstOrDefault(title => title.Length > 255 || title.IndexOfAny(['|', '\n', '\r', '\0']) >= 0) is { } bad)
        {
            throw Invalid(request, $"'{Shorten(bad)}' is not a Wikipedia page title.");
        }

        var transient = new List<(string Title, Exception Error)>();
        var permanent = new List<(string Title, Exception Error)>();
        foreach (var title in titles)
        {
            try
            {
                if (await wikipedia.CrawlAsync(title, request.RequestId, context.CancellationToken) is { } document)
                {
                    await publisher.PublishAsync(context, document, context.CancellationToken);
                }
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                LogTitleFailed(logger, ex, title, request.RequestId, ex.Message);
                transient.Add((title, ex));
            }
            catch (Exception ex) when (ex is RequestRefusedException or MediaWikiApiException or ResponseTooLargeException)
            {
                LogTitleFailed(logger, ex, title, request.RequestId, ex.Message);
                permanent.Add((title, ex));
            }
        }

        if (permanent.Count > 0)
        {
            throw new CrawlFailedException(Summary(titles.Length, permanent.Concat(transient)), permanent[0].Error);
        }
        if (transient.Count > 0)
        {
            throw new TransientCrawlException(Summary(titles.Length, transient), transient[0].Error);
        }
    }

    private async Task CrawlFolderAsync(ConsumeContext<CrawlRequested> context)
    {
        var request = context.Message;
        try
        {
            await folders.CrawlAsync(request.Folder, request.RequestId,
                (document, cancellationToken) => publisher.PublishAsync(context, document, cancellationToken), context.CancellationToken);
        }
        catch (FolderAccessRefusedException ex)
        {
            throw Invalid(request, ex.Message, ex);
        }
        catch (TimeoutException ex)
        {
            throw new TransientCrawlException($"Crawling the folder '{request.Folder}' failed: {ex.Message}", ex);
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is TransientCrawlException or TimeoutException || (ex is HttpRequestException && ex.InnerException is not RequestRefusedException);

    private static string Summary(int total, IEnumerable<(string Title, Exception Error)> failures)
    {
        var list = failures.ToArray();
        return $"{list.Length} of {total} Wikipedia titles failed: " + string.Join("; ", list.Select(failure => $"'{failure.Title}': {failure.Error.Message}"));
    }

    private InvalidCrawlRequestException Invalid(CrawlRequested request, string reason, Exception? inner = null)
    {
        LogInvalidRequest(logger, request.RequestId, request.Source, reason);
        return new InvalidCrawlRequestException($"Crawl request {request.RequestId} refused: {reason}", inner);
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused crawl request {RequestId} (source '{Source}'): {Reason}")]
    private static partial void LogInvalidRequest(ILogger logger, Guid requestId, string source, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Crawling the Wikipedia page '{Title}' (request {RequestId}) failed: {Error}")]
    private static partial void LogTitleFailed(ILogger logger, Exception exception, string title, Guid requestId, string error);
}
