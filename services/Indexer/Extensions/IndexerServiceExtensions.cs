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
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ChunkingOptions>().Bind(configuration.GetSection(ChunkingOptions.SectionName));
        services.AddOptions<IndexingOptions>().Bind(configuration.GetSection(IndexingOptions.SectionName));
        services.AddOptions<IndexingRetryOptions>().Bind(configuration.GetSection($"{IndexingOptions.SectionName}:Retry"));

        services.AddSingleton<IndexerTelemetry>();
        services.AddSingleton<TextChunker>();
        services.AddSingleton<VectorStoreInitializer>();
        services.AddSingleton<ImageIndexer>();
        services.AddSingleton<DocumentIndexer>();

        builder.AddMediaStore();
        builder.AddEmbedderClient("embedder");
        builder.AddVectorStore(VectorStoreRole.Writer);
        builder.AddRabbitMqMessaging(bus =>
        {
            bus.AddConsumer<DocumentCrawledConsumer, DocumentCrawledConsumerDefinition>();
            bus.AddConsumer<DocumentDeleteRequestedConsumer, DocumentDeleteRequestedConsumerDefinition>();
        });
        return builder;
    }
}
