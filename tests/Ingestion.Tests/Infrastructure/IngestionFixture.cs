using AspireMmRag.TestModels;

namespace AspireMmRag.Ingestion.Tests.Infrastructure;

/// <summary>One broker for the whole collection, and a pipeline (embedder + indexer processes) shared by the tests that
/// do not kill anything. Tests that kill processes start their own pipeline on the same broker.</summary>
public sealed class IngestionFixture : IAsyncLifetime
{
    public RabbitMqService Broker { get; } = new();
    public IngestionEnvironment Pipeline { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Broker.StartAsync();
        Pipeline = await IngestionEnvironment.StartAsync(Broker);
    }

    public async Task DisposeAsync()
    {
        if (Pipeline is not null)
        {
            await Pipeline.DisposeAsync();
        }
        await Broker.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class IngestionCollection : ICollectionFixture<IngestionFixture>
{
    public const string Name = "ingestion";
}
