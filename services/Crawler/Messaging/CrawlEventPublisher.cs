using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Telemetry;
using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>Publishes the crawler's events — <see cref="DocumentCrawled"/>, <see cref="CrawlFailed"/>, <see cref="CrawlCompleted"/> —
/// each with the caller's token and a timeout (<see cref="MessagingOptions.PublishTimeout"/>; a publish without a token blocks
/// while the broker is down and then ignores shutdown).</summary>
public sealed partial class CrawlEventPublisher(IOptions<MessagingOptions> options, CrawlerTelemetry telemetry, ILogger<CrawlEventPublisher> logger)
{
    /// <exception cref="TimeoutException">The broker did not take the message in time.</exception>
    public async Task PublishAsync(IPublishEndpoint endpoint, DocumentCrawled document, CancellationToken cancellationToken)
    {
        await PublishAsync(endpoint, document, document.DocumentId, cancellationToken);
        telemetry.DocumentPublished(document.Source);
        LogPublished(logger, document.DocumentId, document.Revision, document.Sections.Count, document.Images.Count);
    }

    /// <exception cref="TimeoutException">The broker did not take the message in time.</exception>
    public async Task PublishAsync(IPublishEndpoint endpoint, CrawlFailed failure, CancellationToken cancellationToken)
    {
        await PublishAsync(endpoint, failure, $"the failure of '{failure.Target}'", cancellationToken);
        LogFailurePublished(logger, failure.Target, failure.Kind, failure.RequestId);
    }

    /// <exception cref="TimeoutException">The broker did not take the message in time.</exception>
    public async Task PublishAsync(IPublishEndpoint endpoint, CrawlCompleted completed, CancellationToken cancellationToken)
    {
        await PublishAsync(endpoint, completed, $"the completion of request {completed.RequestId}", cancellationToken);
        LogCompleted(logger, completed.RequestId, completed.Documents.Count, completed.Failed);
    }

    private async Task PublishAsync<T>(IPublishEndpoint endpoint, T message, string what, CancellationToken cancellationToken) where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PublishTimeout);
        try
        {
            await endpoint.Publish(message, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Publishing {what} timed out after {options.Value.PublishTimeout.TotalSeconds:0.#} s.", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {DocumentId} (revision {Revision}, {Sections} sections, {Images} images)")]
    private static partial void LogPublished(ILogger logger, string documentId, string revision, int sections, int images);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the failure of '{Target}' ({Kind}, request {RequestId})")]
    private static partial void LogFailurePublished(ILogger logger, string target, string kind, Guid requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crawl request {RequestId} completed: {Documents} documents, {Failed} failures")]
    private static partial void LogCompleted(ILogger logger, Guid requestId, int documents, int failed);
}
