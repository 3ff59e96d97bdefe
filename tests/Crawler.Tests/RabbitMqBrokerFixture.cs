using AspireMmRag.TestModels;

namespace AspireMmRag.Crawler.Tests;

/// <summary>One real rabbitmq-server (<see cref="RabbitMqBroker"/>) for the tests of the <see cref="RabbitMqCollection"/>; it
/// fails them when the server is not installed.</summary>
public sealed class RabbitMqBrokerFixture : IAsyncLifetime
{
    public RabbitMqService Broker { get; } = new();

    public Task InitializeAsync() => Broker.StartAsync();

    public Task DisposeAsync() => Broker.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqBrokerFixture>
{
    public const string Name = "rabbitmq";
}
