using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Crawler.Options;
using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>
/// Crawls what a <see cref="CrawlRequested"/> asks for (<see cref="WikipediaRequestHandler"/>, <see cref="FolderRequestHandler"/>)
/// and tells listeners the outcome, all through the consume context and carrying the request id: one
/// <see cref="DocumentCrawled"/> per document, one <see cref="CrawlFailed"/> per item that failed, then one
/// <see cref="CrawlCompleted"/>. A bad request (unknown source, no titles, a folder outside the roots) is logged as a warning
/// and answered with a single <see cref="CrawlFailed"/> and the <see cref="CrawlCompleted"/>; it is not retried and does not
/// fault. Only <see cref="TransientCrawlException"/> leaves the consumer, while redeliveries remain (see
/// <see cref="CrawlRequestedConsumerDefinition"/>); that attempt publishes no <see cref="CrawlFailed"/> nor
/// <see cref="CrawlCompleted"/>, and its documents are published again by the next attempt.
/// </summary>
public sealed partial class CrawlRequestedConsumer(
    WikipediaRequestHandler wikipedia,
    FolderRequestHandler folders,
    CrawlEventPublisher publisher,
    IOptions<MessagingOptions> options,
    ILogger<CrawlRequestedConsumer> logger) : IConsumer<CrawlRequested>
{
    public async Task Consume(ConsumeContext<CrawlRequested> context)
    {
        var request = context.Message;
        var report = new CrawlReport(context, publisher, options.Value.EffectiveRetryIntervals.Count);
        try
        {
            switch (request.Source)
            {
                case DocumentSources.Wikipedia:
                    await wikipedia.CrawlAsync(report, context.CancellationToken);
                    break;
                case DocumentSources.Folder:
                    await folders.CrawlAsync(report, context.CancellationToken);
                    break;
                default:
                    throw new InvalidCrawlRequestException(CrawlRequestTargets.Of(request), CrawlFailureKinds.Invalid,
                        $"Unknown crawl source '{request.Source}' (expected '{DocumentSources.Wikipedia}' or '{DocumentSources.Folder}').");
            }
        }
        catch (InvalidCrawlRequestException ex)
        {
            LogInvalidRequest(logger, request.RequestId, request.Source, ex.Message);
            report.Fail(ex.Target, null, ex.Kind, ex.Message);
        }
        await report.CompleteAsync(context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused crawl request {RequestId} (source '{Source}'): {Reason}")]
    private static partial void LogInvalidRequest(ILogger logger, Guid requestId, string source, string reason);
}
