using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Crawler.Tests;

/// <summary>The shared <see cref="StartupPublisher"/> on a real rabbitmq-server.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class StartupPublisherTests(RabbitMqBrokerFixture fixture)
{
    [Fact]
    public async Task A_message_no_queue_is_bound_for_fails_the_publish_instead_of_vanishing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var messaging = await fixture.Broker.CreateVirtualHostAsync($"startup-publisher-{Guid.NewGuid():N}");
        using var host = BusWithoutConsumers(messaging);
        await host.StartAsync(timeout.Token);
        var publisher = host.Services.GetRequiredService<StartupPublisher>();

        var error = await Assert.ThrowsAsync<UnroutableMessageException>(() =>
            publisher.PublishAsync(new CrawlRequested { Source = DocumentSources.Folder, Folder = "nowhere" }, timeout.Token));

        Assert.Equal(typeof(CrawlRequested), error.MessageType);
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task Host_start_returns_with_the_bus_healthy()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var messaging = await fixture.Broker.CreateVirtualHostAsync($"startup-publisher-{Guid.NewGuid():N}");
        using var host = BusWithoutConsumers(messaging);

        await host.StartAsync(timeout.Token);

        Assert.Equal(BusHealthStatus.Healthy, host.Services.GetRequiredService<IBusControl>().CheckHealth().Status);
        await host.StopAsync(timeout.Token);
    }

    private static IHost BusWithoutConsumers(string messaging)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = messaging,
        });
        builder.Logging.ClearProviders();
        builder.AddRabbitMqMessaging();
        return builder.Build();
    }
}
