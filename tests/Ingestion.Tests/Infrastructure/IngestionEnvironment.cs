using System.Net.Http.Json;
using AspireMmRag.Embedding.Grpc;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;
using AspireMmRag.VectorStore;
using Grpc.Net.Client;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace AspireMmRag.Ingestion.Tests.Infrastructure;

/// <summary>
/// The ingestion pipeline as separate processes on a real broker: an embedder (arctic-embed-xs + a CLIP-shaped test model, or none),
/// an indexer writing the embedded vector store, and, in the test process, a bus to publish documents and collect the
/// indexer's events, the media store, and a reader of the vector store (another process than its writer, as in production).
/// </summary>
public sealed class IngestionEnvironment : IAsyncDisposable
{
    private readonly string _messaging;
    private readonly string _root;
    private readonly Dictionary<string, string> _indexerEnvironment;
    private readonly Dictionary<string, string> _embedderEnvironment;
    private readonly int _indexerPort = FreePorts.Next();
    private readonly int _embedderPort = FreePorts.Next();
    private readonly string _clipDirectory;
    private readonly string _noClipDirectory;
    private IHost? _bus;
    private ServiceProvider? _readerServices;

    private IngestionEnvironment(string messaging, IReadOnlyDictionary<string, string>? indexerSettings, bool withClip)
    {
        _messaging = messaging;
        _root = Path.Combine(Path.GetTempPath(), "mmrag-ingest-" + Guid.NewGuid().ToString("N"));
        var clip = _clipDirectory = PipelineServices.WriteClipModel(Path.Combine(_root, "clip"));
        _noClipDirectory = Path.Combine(_root, "no-clip");
        Directory.CreateDirectory(_noClipDirectory);
        ClipAvailable = withClip;

        _embedderEnvironment = PipelineServices.EmbedderEnvironment(withClip ? clip : _noClipDirectory);
        _indexerEnvironment = PipelineServices.IndexerEnvironment(messaging, $"http://127.0.0.1:{_embedderPort}", MediaDirectory, VectorsDirectory);
        foreach (var (key, value) in indexerSettings ?? new Dictionary<string, string>())
        {
            _indexerEnvironment[key] = value;
        }
    }

    /// <summary>The AMQP connection string of the pipeline's virtual host.</summary>
    public string Messaging => _messaging;
    public string MediaDirectory => Path.Combine(_root, "media");
    public string VectorsDirectory => Path.Combine(_root, "vectors");
    public ServiceProcess? Embedder { get; private set; }
    public ServiceProcess? Indexer { get; private set; }
    public EventCollector Events { get; } = new();
    public IMediaStore Media { get; private set; } = null!;

    /// <summary>Whether the embedder runs with its CLIP model (else it answers FAILED_PRECONDITION for images).</summary>
    public bool ClipAvailable { get; private set; }

    public static async Task<IngestionEnvironment> StartAsync(RabbitMqService broker, IReadOnlyDictionary<string, string>? indexerSettings = null,
        bool withClip = true)
    {
        // Each pipeline gets a virtual host of its own, so that no other pipeline's indexer competes for its documents.
        var messaging = await broker.CreateVirtualHostAsync($"pipeline-{Guid.NewGuid():N}");
        return await StartAsync(messaging, indexerSettings, withClip);
    }

    /// <summary>A pipeline on the broker (and virtual host) of <paramref name="messaging"/>, an AMQP connection string.</summary>
    public static async Task<IngestionEnvironment> StartAsync(string messaging, IReadOnlyDictionary<string, string>? indexerSettings = null,
        bool withClip = true)
    {
        var environment = new IngestionEnvironment(messaging, indexerSettings, withClip);
        try
        {
            await environment.StartEmbedderAsync();
            await environment.StartIndexerAsync();
            await environment.StartBusAsync();
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    public async Task StartEmbedderAsync()
    {
        Embedder = ServiceProcess.Start("Embedder", _embedderEnvironment, _embedderPort);
        using var channel = GrpcChannel.ForAddress(Embedder.Url);
        var client = new AspireMmRag.Embedding.Grpc.Embedder.EmbedderClient(channel);
        await Embedder.WaitUntilAsync(async token =>
        {
            var models = await client.DescribeModelsAsync(new DescribeModelsRequest(), cancellationToken: token);
            return models.Models.All(m => m.Available || (!ClipAvailable && m.Name == "clip"));
        }, TimeSpan.FromSeconds(120), "the embedder's models");
    }

    public async Task StartIndexerAsync()
    {
        Indexer = ServiceProcess.Start("Indexer", _indexerEnvironment, _indexerPort);
        await PipelineServices.WaitForHealthAsync(Indexer, TimeSpan.FromSeconds(120));
    }

    public async Task RestartIndexerAsync()
    {
        Indexer?.Kill();
        if (Indexer is not null)
        {
            await Indexer.DisposeAsync();
        }
        await StartIndexerAsync();
    }

    /// <summary>Sets (or, with null, removes) a setting of the indexer process for its next start.</summary>
    public void SetIndexerSetting(string key, string? value) => Set(_indexerEnvironment, key, value);

    /// <summary>Sets (or, with null, removes) a setting of the embedder process for its next start.</summary>
    public void SetEmbedderSetting(string key, string? value) => Set(_embedderEnvironment, key, value);

    private static void Set(Dictionary<string, string> environment, string key, string? value)
    {
        if (value is null)
        {
            environment.Remove(key);
        }
        else
        {
            environment[key] = value;
        }
    }

    /// <param name="withClip">Restart with (true) or without (false) the CLIP model; null keeps it as it was.</param>
    public async Task RestartEmbedderAsync(bool? withClip = null)
    {
        if (Embedder is not null)
        {
            await Embedder.DisposeAsync();
        }
        if (withClip is { } clip)
        {
            ClipAvailable = clip;
            _embedderEnvironment["Models__Clip__Directory"] = clip ? _clipDirectory : _noClipDirectory;
        }
        await StartEmbedderAsync();
    }

    /// <summary>The passage model's query embedding of <paramref name="query"/> (what the gateway searches passages and captions with).</summary>
    public async Task<float[]> EmbedQueryAsync(string query)
    {
        using var channel = GrpcChannel.ForAddress(Embedder!.Url);
        var client = new AspireMmRag.Embedding.Grpc.Embedder.EmbedderClient(channel);
        var request = new EmbedTextsRequest { Model = "passage", Kind = TextKind.Query };
        request.Texts.Add(query);
        var response = await client.EmbedTextsAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
        return [.. response.Vectors.Single().Values];
    }

    private async Task StartBusAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = _messaging,
            ["MediaStore:Directory"] = MediaDirectory,
        });
        builder.Services.AddSingleton(Events);
        builder.Services.AddOptions<MediaStoreOptions>().Bind(builder.Configuration.GetSection(MediaStoreOptions.SectionName));
        builder.Services.AddSingleton<IMediaStore, FileSystemMediaStore>();
        builder.AddRabbitMqMessaging(bus => bus.AddConsumer<EventCollector>()
            .Endpoint(endpoint =>
            {
                endpoint.Name = $"ingestion-tests-{Guid.NewGuid():N}";
                endpoint.Temporary = true;
            }));
        _bus = builder.Build();
        await _bus.StartAsync();
        await _bus.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        Media = _bus.Services.GetRequiredService<IMediaStore>();
    }

    public async Task PublishAsync<T>(T message) where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _bus!.Services.GetRequiredService<IPublishEndpoint>().Publish(message, timeout.Token);
    }

    /// <summary>A reader of the embedded store the indexer writes, opened in this process.</summary>
    public IVectorStore OpenReader()
    {
        if (_readerServices is null)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["VectorStore:Provider"] = "Embedded",
                ["VectorStore:Embedded:Directory"] = VectorsDirectory,
            }).Build();
            var services = new ServiceCollection().AddLogging();
            services.AddVectorStore(configuration, VectorStoreRole.Reader);
            _readerServices = services.BuildServiceProvider();
        }
        return _readerServices.GetRequiredService<IVectorStore>();
    }

    /// <summary>Messages waiting in a queue of the broker (e.g. the indexer's <c>_error</c> queue); 0 when it does not exist.</summary>
    public async Task<uint> QueueLengthAsync(string queue)
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

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
        {
            await _bus.StopAsync();
            _bus.Dispose();
        }
        if (Indexer is not null)
        {
            await Indexer.DisposeAsync();
        }
        if (Embedder is not null)
        {
            await Embedder.DisposeAsync();
        }
        if (_readerServices is not null)
        {
            await _readerServices.DisposeAsync();
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
