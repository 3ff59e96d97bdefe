using AspireMmRag.Messaging;
using MassTransit;

namespace AspireMmRag.Crawler.Messaging;

/// <summary>
/// The outcome of one delivery attempt of a <see cref="CrawlRequested"/>: documents are published through the consume
/// context as soon as they are crawled (and listed); failures are collected and published only by
/// <see cref="CompleteAsync"/>, together with the request's <see cref="CrawlCompleted"/>, so that an attempt that ends in a
/// retry publishes no <see cref="CrawlFailed"/>.
/// </summary>
public sealed class CrawlReport(ConsumeContext<CrawlRequested> context, CrawlEventPublisher publisher, int retryIntervals)
{
    private readonly List<CrawledDocumentSummary> _documents = [];
    private readonly List<CrawlFailed> _failures = [];

    public CrawlRequested Request => context.Message;

    /// <summary>This delivery's number, 1 for the first.</summary>
    public int Attempt => context.GetRetryAttempt() + 1;

    /// <summary>Whether no redelivery is left after this one: a transient failure now is reported instead of retried.</summary>
    public bool IsLastAttempt => context.GetRetryAttempt() >= retryIntervals;

    /// <exception cref="TimeoutException">The broker did not take the message in time.</exception>
    public async Task PublishAsync(DocumentCrawled document, CancellationToken cancellationToken)
    {
        await publisher.PublishAsync(context, document, cancellationToken);
        _documents.Add(new CrawledDocumentSummary
        {
            DocumentId = document.DocumentId,
            Title = document.Title,
            Url = document.Url,
            Revision = document.Revision,
        });
    }

    /// <summary>Notes a failed item (one of <see cref="CrawlFailureKinds"/>); published by <see cref="CompleteAsync"/>.</summary>
    public void Fail(string target, string? documentId, string kind, string reason) =>
        _failures.Add(new CrawlFailed
        {
            RequestId = Request.RequestId,
            Source = Request.Source,
            Target = target,
            DocumentId = documentId,
            Kind = kind,
            Reason = reason,
        });

    /// <summary>Publishes the collected <see cref="CrawlFailed"/>, then one <see cref="CrawlCompleted"/> listing the documents
    /// this attempt published.</summary>
    /// <exception cref="TimeoutException">The broker did not take a message in time.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var failure in _failures)
        {
            await publisher.PublishAsync(context, failure, cancellationToken);
        }
        await publisher.PublishAsync(context, new CrawlCompleted
        {
            RequestId = Request.RequestId,
            Source = Request.Source,
            Documents = [.. _documents],
            Failed = _failures.Count,
        }, cancellationToken);
    }
}
