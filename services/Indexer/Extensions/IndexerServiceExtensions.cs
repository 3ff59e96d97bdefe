using MassTransit;
using AspireMmRag.Embedding;
using AspireMmRag.Indexer.Chunking;
using AspireMmRag.Indexer.Consumers;
using AspireMmRag.Indexer.Indexing;
using AspireMmRag.Indexer.Telemetry;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.VectorStore;

namespace AspireMmRag.Indexer.Extensions;

public static class IndexerServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDocumentIndexing();
        builder.Services.AddOptions<IndexingRetryOptions>().Bind(builder.Configuration.GetSection($"{IndexingOptions.SectionName}:Retry"));
        builder.AddRabbitMqMessaging(bus =>
        {
            bus.AddConsumer<DocumentCrawledConsumer, DocumentCrawledConsumerDefinition>();
            bus.AddConsumer<DocumentDeleteRequestedConsumer, DocumentDeleteRequestedConsumerDefinition>();
        });
        return builder;
    }

    /// <summary>What <see cref="DocumentIndexer"/> needs, without the message bus: chunking, the embedder client, the media
    /// store and the vector store as its writer.</summary>
    public static IHostApplicationBuilder AddDocumentIndexing(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ChunkingOptions>().Bind(configuration.GetSection(ChunkingOptions.SectionName));
        services.AddOptions<IndexingOptions>().Bind(configuration.GetSection(IndexingOptions.SectionName));

        services.AddSingleton<IndexerTelemetry>();
        services.AddSingleton<TextChunker>();
        services.AddSingleton<VectorStoreInitializer>();
        services.AddSingleton<ImageIndexer>();
        services.AddSingleton<DocumentIndexer>();
        builder.AddIndexingConsistency();

        builder.AddMediaStore();
        builder.AddEmbedderClient("embedder");
        builder.AddVectorStore(VectorStoreRole.Writer);
        return builder;
    }
}
