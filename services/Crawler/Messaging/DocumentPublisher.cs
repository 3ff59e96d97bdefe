using AspireMmRag.Crawler.Options;
using AspireMmRag.Crawler.Telemetry;
using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>Publishes one <see cref="DocumentCrawled"/> with the caller's token and a timeout (a publish without a token
/// blocks while the broker is down and then ignores shutdown).</summary>
public sealed partial class DocumentPublisher(IOptions<MessagingOptions> options, CrawlerTelemetry telemetry, ILogger<DocumentPublisher> logger)
{
    /// <exception cref="TimeoutException">The broker did not take the message in time.</exception>
    public async Task PublishAsync(IPublishEndpoint endpoint, DocumentCrawled document, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PublishTimeout);
        try
        {
            await endpoint.Publish(document, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Publishing {document.DocumentId} timed out after {options.Value.PublishTimeout.TotalSeconds:0.#} s.", ex);
        }
        telemetry.DocumentPublished(document.Source);
        LogPublished(logger, document.DocumentId, document.Revision, document.Sections.Count, document.Images.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {DocumentId} (revision {Revision}, {Sections} sections, {Images} images)")]
    private static partial void LogPublished(ILogger logger, string documentId, string revision, int sections, int images);
}
