using AspireMmRag.TestModels;

namespace AspireMmRag.Gateway.Tests.Ingestion;

/// <summary>
/// Shared by the ingestion test classes: a real rabbitmq-server (each class works on a virtual host of its own) and an
/// embedder process with arctic-embed-xs and the CLIP-shaped test model (stateless, so one serves every class's indexer
/// and gateway). A missing rabbitmq-server fails the tests, on CI and off it.
/// </summary>
public sealed class IngestionBackbone : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-ingest-api-" + Guid.NewGuid().ToString("N"));

    public RabbitMqService Broker { get; } = new();
    public ServiceProcess Embedder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var clip = PipelineServices.WriteClipModel(Path.Combine(_root, "clip"));
        var embedder = PipelineServices.StartAsync("Embedder", PipelineServices.EmbedderEnvironment(clip), TimeSpan.FromSeconds(120),
            healthContains: "\"image_embeddings\":\"available\"", http2: true);
        try
        {
            await Task.WhenAll(Broker.StartAsync(), embedder);
        }
        finally
        {
            // Kept even when the broker failed, so that DisposeAsync stops it instead of leaving it running.
            if (embedder.IsCompletedSuccessfully)
            {
                Embedder = embedder.Result;
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Embedder is not null)
        {
            await Embedder.DisposeAsync();
        }
        await Broker.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class IngestionCollection : ICollectionFixture<IngestionBackbone>
{
    public const string Name = "gateway-ingestion";
}
