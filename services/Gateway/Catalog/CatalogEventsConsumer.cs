using AspireMmRag.Messaging;
using MassTransit;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>Feeds the crawler's and the indexer's events into the catalog, each exactly once (<see cref="CatalogUpdater"/>).
/// A <c>Fault&lt;DocumentCrawled&gt;</c> is the indexer giving up on a document: the gateway itself does not consume
/// <see cref="DocumentCrawled"/>.</summary>
public sealed class CatalogEventsConsumer(CatalogUpdater updater) :
    IConsumer<CrawlFailed>,
    IConsumer<CrawlCompleted>,
    IConsumer<DocumentIndexingProgress>,
    IConsumer<ImageIndexingFailed>,
    IConsumer<DocumentIndexed>,
    IConsumer<DocumentRemoved>,
    IConsumer<Fault<DocumentCrawled>>
{
    public Task Consume(ConsumeContext<CrawlFailed> context) => Apply(context, (p, ct) => p.ApplyAsync(context.Message, ct));

    public Task Consume(ConsumeContext<CrawlCompleted> context) => Apply(context, (p, ct) => p.ApplyAsync(context.Message, ct));

    public Task Consume(ConsumeContext<DocumentIndexingProgress> context) => Apply(context, (p, ct) => p.ApplyAsync(context.Message, ct));

    public Task Consume(ConsumeContext<ImageIndexingFailed> context) => Apply(context, (p, ct) => p.ApplyAsync(context.Message, ct));

    public Task Consume(ConsumeContext<DocumentIndexed> context) => Apply(context, (p, ct) => p.ApplyAsync(context.Message, ct));

    public Task Consume(ConsumeContext<DocumentRemoved> context) => Apply(context, async (p, ct) =>
    {
        await p.ApplyAsync(context.Message, context.SentTime is { } sent ? new DateTimeOffset(sent, TimeSpan.Zero) : DateTimeOffset.UtcNow, ct);
        return null;
    });

    public Task Consume(ConsumeContext<Fault<DocumentCrawled>> context)
    {
        var reason = context.Message.Exceptions.FirstOrDefault() is { } exception
            ? $"indexing failed: {exception.Message}"
            : "indexing failed";
        return Apply(context, (p, ct) => p.ApplyIndexingFaultAsync(context.Message.Message, reason, ct));
    }

    /// <summary>Applies the message with a token of its own (at most <see cref="ApplyTimeout"/>), not the consume context's: a
    /// message taken when the gateway starts to stop is applied and acknowledged, not cancelled half way into a retry and the
    /// error queue.</summary>
    private async Task Apply<T>(ConsumeContext<T> context, Func<CatalogProjection, CancellationToken, Task<IngestJob?>> apply) where T : class
    {
        using var timeout = new CancellationTokenSource(ApplyTimeout);
        await updater.ApplyOnceAsync(context.MessageId, typeof(T).Name, apply, timeout.Token);
    }

    public static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);
}

/// <summary>All catalog events share the <c>gateway-catalog</c> queue and are applied one at a time, in the order they
/// arrive; a failure (the database away) is retried in place before the next message is taken.</summary>
public sealed class CatalogEventsConsumerDefinition : ConsumerDefinition<CatalogEventsConsumer>
{
    public const string QueueName = "gateway-catalog";

    public CatalogEventsConsumerDefinition()
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<CatalogEventsConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 16;
        endpointConfigurator.ConcurrentMessageLimit = 1;
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)));
    }
}
