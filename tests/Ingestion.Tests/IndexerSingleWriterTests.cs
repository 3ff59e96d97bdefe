using System.Diagnostics;
using AspireMmRag.Embedding.Grpc;
using AspireMmRag.Ingestion.Tests.Infrastructure;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;
using AspireMmRag.VectorStore;
using AspireMmRag.VectorStore.Embedded;
using Grpc.Net.Client;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace AspireMmRag.Ingestion.Tests;

/// <summary>
/// One writer per embedded store directory: a second indexer on the same directory and broker takes the writer lock at
/// start-up, fails to start with a message naming the lock, and never takes a message from the shared queue.
/// </summary>
[Collection(IngestionCollection.Name)]
public sealed class IndexerSingleWriterTests(IngestionFixture fixture) : IAsyncLifetime
{
    private const string DocumentsQueue = "indexer-documents";
    private const string ErrorQueue = "indexer-documents_error";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-one-writer-" + Guid.NewGuid().ToString("N"));
    private readonly List<ServiceProcess> _processes = [];
    private string _messaging = "";
    private Dictionary<string, string> _indexerEnvironment = [];
    private IHost? _bus;

    private string VectorsDirectory => Path.Combine(_root, "vectors");

    public async Task InitializeAsync()
    {
        _messaging = await fixture.Broker.CreateVirtualHostAsync($"one-writer-{Guid.NewGuid():N}");
        var noClip = Path.Combine(_root, "no-clip");
        Directory.CreateDirectory(noClip);
        var embedderPort = FreePorts.Next();
        var embedder = Track(ServiceProcess.Start("Embedder", PipelineServices.EmbedderEnvironment(noClip), embedderPort));
        using (var channel = GrpcChannel.ForAddress(embedder.Url))
        {
            var client = new AspireMmRag.Embedding.Grpc.Embedder.EmbedderClient(channel);
            await embedder.WaitUntilAsync(async token =>
            {
                var models = await client.DescribeModelsAsync(new DescribeModelsRequest(), cancellationToken: token);
                return models.Models.Any(m => m.Name == "passage" && m.Available);
            }, StartTimeout, "the embedder's passage model");
        }
        _indexerEnvironment = PipelineServices.IndexerEnvironment(_messaging, embedder.Url, Path.Combine(_root, "media"), VectorsDirectory);
    }

    [Fact]
    public async Task A_second_indexer_on_the_same_directory_fails_at_start_up_with_the_lock_and_consumes_nothing()
    {
        // The first indexer holds the directory (and declares the queues); documents are on their way to the shared queue
        // as the second one starts.
        var first = Track(await PipelineServices.StartAsync("Indexer", _indexerEnvironment, StartTimeout));
        await StartBusAsync();
        var documents = Enumerable.Range(0, 4).Select(i => TestDocuments.Create($"test:one-writer:{Guid.NewGuid():N}")).ToArray();
        foreach (var document in documents)
        {
            await PublishAsync(document);
        }
        var second = Track(ServiceProcess.Start("Indexer", _indexerEnvironment, FreePorts.Next()));
        var secondWasReady = await WaitForExitAsync(second);
        Assert.False(secondWasReady, "the second indexer must never report ready");
        AssertNamesTheLock(second.Output);
        Assert.DoesNotContain("Bus started", second.Output, StringComparison.Ordinal);

        // The first indexer did all the work, and nothing went to the error queue.
        Assert.False(first.HasExited, first.Output);
        await WaitForIndexedAsync(documents);
        Assert.Equal(0u, await QueueLengthAsync(ErrorQueue));
    }

    [Fact]
    public async Task A_second_writer_leaves_the_waiting_messages_in_the_queue()
    {
        // Declare the queues with an indexer, then stop it; documents then wait in the durable queue.
        var declaring = Track(await PipelineServices.StartAsync("Indexer", _indexerEnvironment, StartTimeout));
        declaring.Kill();
        await using var holder = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions { Directory = VectorsDirectory, Role = VectorStoreRole.Writer });
        await holder.OpenAsync(CancellationToken.None);
        Assert.True(holder.HoldsWriterLock);

        await StartBusAsync();
        var documents = Enumerable.Range(0, 3).Select(i => TestDocuments.Create($"test:one-writer-queue:{Guid.NewGuid():N}")).ToArray();
        foreach (var document in documents)
        {
            await PublishAsync(document);
        }
        await EventuallyAsync(async () => await QueueLengthAsync(DocumentsQueue) == documents.Length, "the documents to wait in the queue");

        var second = Track(ServiceProcess.Start("Indexer", _indexerEnvironment, FreePorts.Next()));
        Assert.False(await WaitForExitAsync(second), "the second writer must never report ready");
        AssertNamesTheLock(second.Output);
        Assert.Equal((uint)documents.Length, await QueueLengthAsync(DocumentsQueue));
        Assert.Equal(0u, await QueueLengthAsync(ErrorQueue));

        // Once the lock is free, an indexer starts and takes every waiting document.
        await holder.DisposeAsync();
        Track(await PipelineServices.StartAsync("Indexer", _indexerEnvironment, StartTimeout));
        await WaitForIndexedAsync(documents);
        Assert.Equal(0u, await QueueLengthAsync(ErrorQueue));
    }

    private static void AssertNamesTheLock(string output)
    {
        Assert.Contains("Cannot take the embedded vector store's writer lock", output, StringComparison.Ordinal);
        Assert.Contains("writer.lock is locked", output, StringComparison.Ordinal);
    }

    /// <summary>Waits until the process exits, asking its <c>/health</c> meanwhile; returns whether it ever answered 200.</summary>
    private static async Task<bool> WaitForExitAsync(ServiceProcess process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var ready = false;
        var clock = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            Assert.True(clock.Elapsed < ExitTimeout, $"The second indexer was still running after {ExitTimeout}:\n{process.Output}");
            try
            {
                using var response = await http.GetAsync($"{process.Url}/health");
                ready |= response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        return ready;
    }

    private async Task WaitForIndexedAsync(IReadOnlyList<DocumentCrawled> documents)
    {
        await using var reader = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions { Directory = VectorsDirectory, Role = VectorStoreRole.Reader });
        await EventuallyAsync(async () =>
        {
            try
            {
                await reader.RefreshAsync(CancellationToken.None);
                foreach (var document in documents)
                {
                    if (await reader.CountAsync(VectorCollection.Passages, document.DocumentId, CancellationToken.None) == 0)
                    {
                        return false;
                    }
                }
                return true;
            }
            catch (VectorStoreException)
            {
                return false; // the collections do not exist yet
            }
        }, "every document to be indexed");
    }

    private async Task StartBusAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = _messaging,
        });
        builder.AddRabbitMqMessaging();
        _bus = builder.Build();
        await _bus.StartAsync();
        await _bus.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
    }

    private async Task PublishAsync<T>(T message) where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _bus!.Services.GetRequiredService<IPublishEndpoint>().Publish(message, timeout.Token);
    }

    private async Task<uint> QueueLengthAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_messaging) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < StartTimeout, $"Timed out after {StartTimeout} waiting for {what}.");
            await Task.Delay(250);
        }
    }

    private ServiceProcess Track(ServiceProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async Task DisposeAsync()
    {
        if (_bus is not null)
        {
            await _bus.StopAsync();
            _bus.Dispose();
        }
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
