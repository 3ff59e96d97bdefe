using System.Text;
using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Consumers;

/// <summary><c>indexer-documents</c>: <see cref="IndexingOptions.ConcurrentDocuments"/> documents at once, the retry policy,
/// then the shared <see cref="DocumentPartitioner"/> on the document id.</summary>
public sealed class DocumentCrawledConsumerDefinition : ConsumerDefinition<DocumentCrawledConsumer>
{
    private readonly IndexingRetryOptions _retry;
    private readonly DocumentPartitioner _partitioner;

    public DocumentCrawledConsumerDefinition(IOptions<IndexingOptions> indexing, IOptions<IndexingRetryOptions> retry, DocumentPartitioner partitioner)
    {
        _retry = retry.Value;
        _partitioner = partitioner;
        EndpointName = "indexer-documents";
        ConcurrentMessageLimit = Math.Max(1, indexing.Value.ConcurrentDocuments);
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DocumentCrawledConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = ConcurrentMessageLimit ?? 2;
        IndexingRetryPolicy.Apply(endpointConfigurator, _retry);
        consumerConfigurator.Message<DocumentCrawled>(message => message.UsePartitioner(_partitioner.Partitioner,
            (ConsumeContext<DocumentCrawled> consume) => consume.Message.DocumentId, Encoding.UTF8));
    }
}

/// <summary><c>indexer-deletes</c>: the retry policy, then the shared <see cref="DocumentPartitioner"/> on the document id.</summary>
public sealed class DocumentDeleteRequestedConsumerDefinition : ConsumerDefinition<DocumentDeleteRequestedConsumer>
{
    private readonly IndexingRetryOptions _retry;
    private readonly DocumentPartitioner _partitioner;

    public DocumentDeleteRequestedConsumerDefinition(IOptions<IndexingRetryOptions> retry, DocumentPartitioner partitioner)
    {
        _retry = retry.Value;
        _partitioner = partitioner;
        EndpointName = "indexer-deletes";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DocumentDeleteRequestedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        IndexingRetryPolicy.Apply(endpointConfigurator, _retry);
        consumerConfigurator.Message<DocumentDeleteRequested>(message => message.UsePartitioner(_partitioner.Partitioner,
            (ConsumeContext<DocumentDeleteRequested> consume) => consume.Message.DocumentId, Encoding.UTF8));
    }
}
