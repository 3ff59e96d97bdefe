using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.Messaging;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>
/// The Wikipedia part of <see cref="CrawlRequestedConsumer"/>: checks the titles (<see cref="InvalidCrawlRequestException"/>
/// when there are none, too many, or one that is no title), then crawls them one after another into the
/// <see cref="CrawlReport"/>: a page is published as soon as it is crawled; a missing page is a <c>not-found</c> failure
/// (with the id it would have had), a refused URL <c>refused</c>, an API error or an oversized answer <c>unreadable</c>.
/// Titles that failed for a transient reason (network, timeouts, throttling) make the attempt throw
/// <see cref="TransientCrawlException"/> while redeliveries remain; on the last attempt they are <c>unreachable</c> failures.
/// </summary>
public sealed partial class WikipediaRequestHandler(
    WikipediaCrawler wikipedia,
    IOptions<WikipediaOptions> options,
    ILogger<WikipediaRequestHandler> logger)
{
    public const int MaxTitlesPerRequest = 50;

    /// <exception cref="InvalidCrawlRequestException">The titles can never be crawled as sent.</exception>
    /// <exception cref="TransientCrawlException">Some titles failed for a transient reason and a redelivery is left.</exception>
    public async Task CrawlAsync(CrawlReport report, CancellationToken cancellationToken)
    {
        var request = report.Request;
        var titles = Titles(request);
        var language = options.Value.Language;
        var transient = new List<(string Title, Exception Error)>();
        foreach (var title in titles)
        {
            try
            {
                if (await wikipedia.CrawlAsync(title, request.RequestId, cancellationToken) is { } document)
                {
                    await report.PublishAsync(document, cancellationToken);
                }
                else
                {
                    report.Fail(title, WikipediaDocumentIds.ForRequestedTitle(language, title), CrawlFailureKinds.NotFound,
                        $"The page '{title}' does not exist on {language} Wikipedia.");
                }
            }
            catch (Exception ex) when (Refusal(ex) is { } refusal)
            {
                LogTitleFailed(logger, ex, title, request.RequestId, ex.Message);
                report.Fail(title, null, CrawlFailureKinds.Refused, refusal.Message);
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                LogTitleFailed(logger, ex, title, request.RequestId, ex.Message);
                transient.Add((title, ex));
            }
            catch (Exception ex) when (ex is MediaWikiApiException or ResponseTooLargeException)
            {
                LogTitleFailed(logger, ex, title, request.RequestId, ex.Message);
                report.Fail(title, null, CrawlFailureKinds.Unreadable, ex.Message);
            }
        }

        if (transient.Count == 0)
        {
            return;
        }
        if (!report.IsLastAttempt)
        {
            throw new TransientCrawlException($"{transient.Count} of {titles.Length} Wikipedia titles failed (attempt {report.Attempt}): " +
                string.Join("; ", transient.Select(failure => $"'{failure.Title}': {failure.Error.Message}")), transient[0].Error);
        }
        foreach (var (title, error) in transient)
        {
            report.Fail(title, null, CrawlFailureKinds.Unreachable,
                $"{language} Wikipedia stayed unreachable after {report.Attempt} attempts: {error.Message}");
        }
    }

    private static string[] Titles(CrawlRequested request)
    {
        var titles = (request.Titles ?? []).Where(title => !string.IsNullOrWhiteSpace(title)).Select(title => title.Trim())
            .Distinct(StringComparer.Ordinal).ToArray();
        if (titles.Length == 0)
        {
            throw new InvalidCrawlRequestException(CrawlRequestTargets.Of(request), CrawlFailureKinds.Invalid,
                "A Wikipedia crawl request needs at least one title.");
        }
        if (titles.Length > MaxTitlesPerRequest)
        {
            throw new InvalidCrawlRequestException(CrawlRequestTargets.Of(request), CrawlFailureKinds.Invalid,
                $"A Wikipedia crawl request may name at most {MaxTitlesPerRequest} titles ({titles.Length} given).");
        }
        if (titles.FirstOrDefault(title => title.Length > 255 || title.IndexOfAny(['|', '\n', '\r', '\0']) >= 0) is { } bad)
        {
            throw new InvalidCrawlRequestException(CrawlRequestTargets.Shorten(bad), CrawlFailureKinds.Invalid,
                $"'{CrawlRequestTargets.Shorten(bad)}' is not a Wikipedia page title.");
        }
        return titles;
    }

    /// <summary>The safety refusal behind <paramref name="ex"/>, thrown as is or wrapped by the HTTP stack.</summary>
    private static RequestRefusedException? Refusal(Exception ex) => ex as RequestRefusedException ?? ex.InnerException as RequestRefusedException;

    private static bool IsTransient(Exception ex) => ex is TransientCrawlException or TimeoutException or HttpRequestException;

    [LoggerMessage(Level = LogLevel.Error, Message = "Crawling the Wikipedia page '{Title}' (request {RequestId}) failed: {Error}")]
    private static partial void LogTitleFailed(ILogger logger, Exception exception, string title, Guid requestId, string error);
}
