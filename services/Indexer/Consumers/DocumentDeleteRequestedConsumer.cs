using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;
using MassTransit;

namespace AspireMmRag.Indexer.Consumers;

/// <summary>Removes every passage, image and image caption of a document.</summary>
public sealed class DocumentDeleteRequestedConsumer(IVectorStore store, VectorStoreInitializer initializer) : IConsumer<DocumentDeleteRequested>
{
    public async Task Consume(ConsumeContext<DocumentDeleteRequested> context)
    {
        if (string.IsNullOrWhiteSpace(context.Message.DocumentId))
        {
            throw new InvalidDocumentException("A delete request without a document id.");
        }
        await initializer.EnsureAsync(context.CancellationToken);
        var removed = await store.DeleteDocumentAsync(context.Message.DocumentId, context.CancellationToken);
        await context.Publish(new DocumentRemoved { DocumentId = context.Message.DocumentId, Removed = removed }, context.CancellationToken);
    }
}
