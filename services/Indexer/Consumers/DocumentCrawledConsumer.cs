using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Messaging;
using MassTransit;

namespace AspireMmRag.Indexer.Consumers;

/// <summary>Indexes each crawled document and announces the result.</summary>
public sealed class DocumentCrawledConsumer(DocumentIndexer indexer) : IConsumer<DocumentCrawled>
{
    public async Task Consume(ConsumeContext<DocumentCrawled> context)
    {
        var indexed = await indexer.IndexAsync(context.Message, context, context.CancellationToken);
        await context.Publish(indexed, context.CancellationToken);
    }
}
