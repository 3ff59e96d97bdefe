using System.Collections.Concurrent;
using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Crawler.Tests;

/// <summary>
/// A <see cref="DocumentCrawled"/> consumer on a bus of its own (the shared RabbitMQ wiring), standing in for the indexer:
/// <see cref="StartAsync"/> returns once its queue is bound, as the AppHost starts the crawler only after the indexer is ready.
/// </summary>
public sealed class DocumentCollector : IAsyncDisposable
{
    private readonly IHost _host;

    private DocumentCollector(IHost host, ReceivedDocuments received)
    {
        _host = host;
        Received = received;
    }

    public ReceivedDocuments Received { get; }

    public static async Task<DocumentCollector> StartAsync(string messaging, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = messaging,
        });
        builder.Logging.ClearProviders();
        var received = new ReceivedDocuments();
        builder.Services.AddSingleton(received);
        builder.AddRabbitMqMessaging(bus => bus.AddConsumer<ReceivedDocumentsConsumer>()
            .Endpoint(endpoint =>
            {
                endpoint.Name = $"crawler-tests-documents-{Guid.NewGuid():N}";
                endpoint.Temporary = true;
            }));
        var host = builder.Build();
        var collector = new DocumentCollector(host, received);
        try
        {
            await host.StartAsync(cancellationToken);
            await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, cancellationToken);
            return collector;
        }
        catch
        {
            await collector.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}

/// <summary>The ids of the documents a <see cref="DocumentCollector"/> has consumed.</summary>
public sealed class ReceivedDocuments
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0);

    public IReadOnlyCollection<string> Ids => _ids.Keys.ToArray();

    public void Add(string documentId)
    {
        _ids.TryAdd(documentId, 0);
        _changed.Release();
    }

    /// <summary>True once every id in <paramref name="documentIds"/> has arrived, false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitForAsync(IReadOnlyCollection<string> documentIds, TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        while (!documentIds.All(_ids.ContainsKey))
        {
            try
            {
                await _changed.WaitAsync(expiry.Token);
            }
            catch (OperationCanceledException)
            {
                return documentIds.All(_ids.ContainsKey);
            }
        }
        return true;
    }
}

public sealed class ReceivedDocumentsConsumer(ReceivedDocuments received) : IConsumer<DocumentCrawled>
{
    public Task Consume(ConsumeContext<DocumentCrawled> context)
    {
        received.Add(context.Message.DocumentId);
        return Task.CompletedTask;
    }
}
