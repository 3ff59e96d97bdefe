using System.Collections.Concurrent;
using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Crawler.Tests;

/// <summary>
/// A listener on a bus of its own (the shared RabbitMQ wiring), standing in for the gateway: one temporary queue bound to
/// <see cref="DocumentCrawled"/>, <see cref="CrawlFailed"/> and <see cref="CrawlCompleted"/>, consumed one message at a time,
/// so <see cref="Events"/> holds them in the order the crawler published them. It also drains the crawler's
/// <c>crawl-requested_error</c> queue into <see cref="Faulted"/>, and publishes requests like the gateway does.
/// </summary>
public sealed class CrawlEventRecorder : IAsyncDisposable
{
    public const string CrawlerErrorQueue = "crawl-requested_error";

    private readonly IHost _host;

    private CrawlEventRecorder(IHost host, RecordedCrawlEvents events)
    {
        _host = host;
        Events = events;
    }

    public RecordedCrawlEvents Events { get; }

    /// <summary>Requests that landed in the crawler's error queue.</summary>
    public ConcurrentQueue<CrawlRequested> Faulted => Events.Faulted;

    public static async Task<CrawlEventRecorder> StartAsync(string messaging, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = messaging,
        });
        builder.Logging.ClearProviders();
        var events = new RecordedCrawlEvents();
        builder.Services.AddSingleton(events);
        builder.AddRabbitMqMessaging(bus =>
        {
            var name = $"crawler-tests-events-{Guid.NewGuid():N}";
            bus.AddConsumer<RecordedDocumentConsumer>().Endpoint(endpoint => Configure(endpoint, name));
            bus.AddConsumer<RecordedFailureConsumer>().Endpoint(endpoint => Configure(endpoint, name));
            bus.AddConsumer<RecordedCompletionConsumer>().Endpoint(endpoint => Configure(endpoint, name));
            bus.AddConsumer<FaultedRequestConsumer>().Endpoint(endpoint =>
            {
                endpoint.Name = CrawlerErrorQueue;
                endpoint.ConfigureConsumeTopology = false; // only what the crawler moves there, not every CrawlRequested
            });
        });
        var host = builder.Build();
        var recorder = new CrawlEventRecorder(host, events);
        try
        {
            await host.StartAsync(cancellationToken);
            await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, cancellationToken);
            return recorder;
        }
        catch
        {
            await recorder.DisposeAsync();
            throw;
        }
    }

    private static void Configure(IEndpointRegistrationConfigurator endpoint, string name)
    {
        endpoint.Name = name;
        endpoint.Temporary = true;
        endpoint.PrefetchCount = 1;
        endpoint.ConcurrentMessageLimit = 1;
    }

    public async Task<CrawlRequested> PublishAsync(CrawlRequested request, CancellationToken cancellationToken)
    {
        await _host.Services.GetRequiredService<IBus>().Publish(request, cancellationToken);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}

/// <summary>The crawl events a <see cref="CrawlEventRecorder"/> received, in arrival order.</summary>
public sealed class RecordedCrawlEvents
{
    private readonly ConcurrentQueue<object> _events = new();
    private readonly SemaphoreSlim _changed = new(0);

    public ConcurrentQueue<CrawlRequested> Faulted { get; } = new();

    public void Add(object message)
    {
        _events.Enqueue(message);
        _changed.Release();
    }

    /// <summary>The events of one request, in arrival order.</summary>
    public object[] For(Guid requestId) => _events.Where(message => RequestIdOf(message) == requestId).ToArray();

    /// <summary>The request's events once its <see cref="CrawlCompleted"/> has arrived (and a moment more, for anything
    /// arriving after it, which would be a bug); throws when <paramref name="timeout"/> passes first.</summary>
    public async Task<object[]> UntilCompletedAsync(Guid requestId, TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        while (!For(requestId).OfType<CrawlCompleted>().Any())
        {
            try
            {
                await _changed.WaitAsync(expiry.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No CrawlCompleted for {requestId} within {timeout.TotalSeconds} s; received: " +
                    string.Join(", ", For(requestId).Select(message => message.GetType().Name)));
            }
        }
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        return For(requestId);
    }

    private static Guid? RequestIdOf(object message) => message switch
    {
        DocumentCrawled document => document.RequestId,
        CrawlFailed failure => failure.RequestId,
        CrawlCompleted completed => completed.RequestId,
        _ => null,
    };
}

public sealed class RecordedDocumentConsumer(RecordedCrawlEvents events) : IConsumer<DocumentCrawled>
{
    public Task Consume(ConsumeContext<DocumentCrawled> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }
}

public sealed class RecordedFailureConsumer(RecordedCrawlEvents events) : IConsumer<CrawlFailed>
{
    public Task Consume(ConsumeContext<CrawlFailed> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }
}

public sealed class RecordedCompletionConsumer(RecordedCrawlEvents events) : IConsumer<CrawlCompleted>
{
    public Task Consume(ConsumeContext<CrawlCompleted> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }
}

public sealed class FaultedRequestConsumer(RecordedCrawlEvents events) : IConsumer<CrawlRequested>
{
    public Task Consume(ConsumeContext<CrawlRequested> context)
    {
        events.Faulted.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}
