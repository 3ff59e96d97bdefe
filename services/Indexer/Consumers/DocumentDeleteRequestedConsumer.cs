using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using MassTransit;

namespace AspireMmRag.Indexer.Consumers;

/// <summary>Removes every passage, image and image caption of a document. The delete is recorded first
/// (<see cref="DocumentStateStore.RecordDeletedAsync"/>, as of the request's sent time), so that a crawl of the document
/// from before the request that arrives later is skipped rather than bringing it back.</summary>
public sealed class DocumentDeleteRequestedConsumer(IVectorStore store, VectorStoreInitializer initializer, DocumentStateStore states)
    : IConsumer<DocumentDeleteRequested>
{
    public async Task Consume(ConsumeContext<DocumentDeleteRequested> context)
    {
        if (string.IsNullOrWhiteSpace(context.Message.DocumentId))
        {
            throw new InvalidDocumentException("A delete request without a document id.");
        }
        await initializer.EnsureAsync(context.CancellationToken);
        var requestedAt = context.SentTime is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : DateTimeOffset.UtcNow;
        await states.RecordDeletedAsync(context.Message.DocumentId, requestedAt, context.CancellationToken);
        var removed = await store.DeleteDocumentAsync(context.Message.DocumentId, context.CancellationToken);
        await context.Publish(new DocumentRemoved { DocumentId = context.Message.DocumentId, Removed = removed }, context.CancellationToken);
    }
}
