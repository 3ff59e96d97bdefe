using System.Net.Http.Headers;
using AspireMmRag.Gateway.Tests.Infrastructure;
using AspireMmRag.TestModels;

namespace AspireMmRag.Gateway.Tests.Ingestion;

/// <summary>
/// The whole ingestion path for one test class, on a virtual host of its own: a crawler process (a fixture folder root
/// <c>docs</c> and the fake MediaWiki server), an indexer process writing an embedded vector store, and the real gateway
/// in-process (<see cref="GatewayApp"/>) with a catalog of <see cref="Provider"/>, the folder root and an API key. The gateway
/// can be restarted on the same catalog and broker. Started by the first test of the class (<see cref="EnsureStartedAsync"/>:
/// xunit gives class fixtures no collection fixture), stopped after the last.
/// </summary>
public abstract class IngestionStack : IAsyncLifetime
{
    public const string ApiKey = "ingestion-tests-key";
    private static readonly TimeSpan ServiceStartTimeout = TimeSpan.FromSeconds(120);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Exception? _startFailure;
    private IngestionBackbone? _backbone;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "mmrag-ingest-stack-" + Guid.NewGuid().ToString("N"));
    public string DocsRoot => Path.Combine(Root, "docs");
    public string MediaDirectory => Path.Combine(Root, "media");
    public string VectorsDirectory => Path.Combine(Root, "vectors");

    /// <summary>"sqlite" or "postgresql".</summary>
    public abstract string Provider { get; }

    public string Messaging { get; private set; } = "";
    public string Catalog { get; private set; } = "";
    public FakeMediaWikiServer Wiki { get; private set; } = null!;
    public ServiceProcess Crawler { get; private set; } = null!;
    public ServiceProcess Indexer { get; private set; } = null!;
    public GatewayApp Gateway { get; private set; } = null!;

    /// <summary>A new, empty catalog database's connection string.</summary>
    protected abstract Task<string> CreateCatalogAsync();

    /// <summary>Runs once the virtual host exists, before any service or the gateway starts.</summary>
    protected virtual Task StartingAsync() => Task.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task EnsureStartedAsync(IngestionBackbone backbone)
    {
        await _gate.WaitAsync();
        try
        {
            if (_startFailure is not null)
            {
                throw new InvalidOperationException("The ingestion stack failed to start (see the first test's failure).", _startFailure);
            }
            if (_backbone is not null)
            {
                return;
            }
            try
            {
                await StartAsync(backbone);
            }
            catch (Exception ex)
            {
                _startFailure = ex;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>False: the gateway alone on its broker and catalog (no crawler, indexer or wiki), e.g. to see what it publishes.</summary>
    protected virtual bool WithPipeline => true;

    private async Task StartAsync(IngestionBackbone backbone)
    {
        Directory.CreateDirectory(DocsRoot);
        Directory.CreateDirectory(MediaDirectory);
        Directory.CreateDirectory(VectorsDirectory);
        _backbone = backbone;
        var catalog = CreateCatalogAsync();
        Messaging = await backbone.Broker.CreateVirtualHostAsync($"ingest-api-{Provider}-{Guid.NewGuid():N}");
        await StartingAsync();
        if (!WithPipeline)
        {
            Catalog = await catalog;
            StartGateway();
            return;
        }
        Wiki = await FakeMediaWikiServer.StartAsync();
        var indexer = PipelineServices.StartAsync("Indexer",
            PipelineServices.IndexerEnvironment(Messaging, backbone.Embedder.Url, MediaDirectory, VectorsDirectory), ServiceStartTimeout);
        var crawler = PipelineServices.StartAsync("Crawler",
            PipelineServices.CrawlerEnvironment(Messaging, MediaDirectory, [DocsRoot], Wiki.ApiEndpoint), ServiceStartTimeout);
        try
        {
            await Task.WhenAll(indexer, crawler, catalog);
        }
        finally
        {
            // Whatever started is stopped by DisposeAsync, even when another part failed.
            Indexer = indexer.IsCompletedSuccessfully ? indexer.Result : null!;
            Crawler = crawler.IsCompletedSuccessfully ? crawler.Result : null!;
        }
        Catalog = await catalog;
        StartGateway();
    }

    /// <summary>The gateway's settings: retrieval as in the other gateway tests, plus the catalog, the broker, the folder
    /// root and the API key; <paramref name="extra"/> add or replace.</summary>
    public Dictionary<string, string?> GatewaySettings(params (string Key, string? Value)[] extra) =>
        GatewayFixture.RetrievalSettings(_backbone!.Embedder.Url, VectorsDirectory, MediaDirectory,
            [("ConnectionStrings:catalog", Catalog), ("ConnectionStrings:messaging", Messaging), ("Ingestion:FolderRoots:0", DocsRoot),
             ("Gateway:ApiKey", ApiKey), .. extra]);

    private void StartGateway()
    {
        Gateway = new GatewayApp(GatewaySettings());
        _ = Gateway.Server; // starts the host now: migrations, the bus and its consumers
    }

    /// <summary>Stops the gateway (its host, bus and consumers, as a redeploy would) and starts a new one on the same catalog
    /// and broker.</summary>
    public async Task RestartGatewayAsync()
    {
        await Gateway.DisposeAsync();
        StartGateway();
    }

    /// <summary>A client of the gateway sending the API key, without a client-side timeout (calls pass their own tokens).</summary>
    public HttpClient Client(string? apiKey = ApiKey) => CreateClient(Gateway, apiKey);

    public static HttpClient CreateClient(GatewayApp gateway, string? apiKey)
    {
        var client = gateway.CreateClient();
        client.Timeout = Timeout.InfiniteTimeSpan;
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add(IngestApi.ApiKeyHeader, apiKey);
        }
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>The messages waiting in the gateway's catalog queue and its error queue, for failure messages.</summary>
    public async Task<string> CatalogQueuesAsync()
    {
        var report = new List<string>();
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(Messaging) };
        await using var connection = await factory.CreateConnectionAsync();
        foreach (var queue in new[] { "gateway-catalog", "gateway-catalog_error", "gateway-catalog_skipped" })
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                report.Add($"{queue}: {(await channel.QueueDeclarePassiveAsync(queue)).MessageCount}");
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                report.Add($"{queue}: none");
            }
        }
        return string.Join(", ", report);
    }

    /// <summary>What the processes printed, for failure messages.</summary>
    public string ProcessOutput(int lastCharacters = 6000) =>
        $"--- crawler ---\n{Tail(Crawler?.Output, lastCharacters)}\n--- indexer ---\n{Tail(Indexer?.Output, lastCharacters)}";

    private static string Tail(string? text, int characters) =>
        text is null ? "(not started)" : text.Length <= characters ? text : text[^characters..];

    public virtual async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        foreach (var process in new[] { Crawler, Indexer })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }
        if (Wiki is not null)
        {
            await Wiki.DisposeAsync();
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The catalog in a SQLite file (the local mode's embedded default).</summary>
public sealed class SqliteIngestionStack : IngestionStack
{
    public override string Provider => "sqlite";

    protected override Task<string> CreateCatalogAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Root, "catalog.db")}");
}

/// <summary>The gateway alone on a SQLite catalog and a virtual host with no crawler: a <see cref="CrawlRequestProbe"/> bound
/// before the gateway starts sees every <c>CrawlRequested</c> it publishes.</summary>
public sealed class GatewayOnlyStack : IngestionStack
{
    public override string Provider => "gateway-only";

    protected override bool WithPipeline => false;

    public CrawlRequestProbe Probe { get; private set; } = null!;

    protected override Task<string> CreateCatalogAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Root, "catalog.db")}");

    protected override async Task StartingAsync()
    {
        Directory.CreateDirectory(Path.Combine(DocsRoot, "sub"));
        Probe = await CrawlRequestProbe.StartAsync(Messaging);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Probe is not null)
        {
            await Probe.DisposeAsync();
        }
    }
}

/// <summary>The catalog in a real PostgreSQL (Debian's package, started on a free port; missing → the tests fail).</summary>
public sealed class PostgresIngestionStack : IngestionStack
{
    private readonly PostgresService _server = new();

    public override string Provider => "postgresql";

    protected override async Task<string> CreateCatalogAsync()
    {
        await _server.StartAsync();
        return await _server.CreateDatabaseAsync("catalog");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _server.DisposeAsync();
    }
}
