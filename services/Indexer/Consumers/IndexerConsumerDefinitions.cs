using AspireMmRag.Indexer.Indexing;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Indexer.Consumers;

public sealed class DocumentCrawledConsumerDefinition : ConsumerDefinition<DocumentCrawledConsumer>
{
    private readonly IndexingRetryOptions _retry;

    public DocumentCrawledConsumerDefinition(IOptions<IndexingOptions> indexing, IOptions<IndexingRetryOptions> retry)
    {
        _retry = retry.Value;
        EndpointName = "indexer-documents";
        ConcurrentMessageLimit = Math.Max(1, indexing.Value.ConcurrentDocuments);
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DocumentCrawledConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = ConcurrentMessageLimit ?? 2;
        IndexingRetryPolicy.Apply(endpointConfigurator, _retry);
    }
}

public sealed class DocumentDeleteRequestedConsumerDefinition : ConsumerDefinition<DocumentDeleteRequestedConsumer>
{
    private readonly IndexingRetryOptions _retry;

    public DocumentDeleteRequestedConsumerDefinition(IOptions<IndexingRetryOptions> retry)
    {
        _retry = retry.Value;
        EndpointName = "indexer-deletes";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DocumentDeleteRequestedConsumer> consumerConfigurator, IRegistrationContext context) =>
        IndexingRetryPolicy.Apply(endpointConfigurator, _retry);
}
