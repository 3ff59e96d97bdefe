using AspireMmRag.Gateway.Tests.Ingestion;

namespace AspireMmRag.Gateway.Tests.Web;

/// <summary>
/// The ingestion stack of the ingestion tests (a broker virtual host, crawler and indexer processes, a SQLite catalog, the
/// folder root <c>docs</c> and the API key <see cref="IngestionStack.ApiKey"/>), with the gateway served by Kestrel for the
/// browser: the stack's in-memory gateway is stopped once it has migrated the catalog, and one on the same settings (catalog,
/// broker, embedded store) takes its place, so exactly one gateway consumes the catalog events.
/// </summary>
public sealed class WebIngestionStack : IngestionStack
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public override string Provider => "web-sqlite";

    public WebGateway Web { get; private set; } = null!;

    protected override Task<string> CreateCatalogAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Root, "catalog.db")}");

    public async Task EnsureWebStartedAsync(IngestionBackbone backbone)
    {
        await EnsureStartedAsync(backbone);
        await _gate.WaitAsync();
        try
        {
            if (Web is null)
            {
                await Gateway.DisposeAsync();
                Web = WebGateway.Start(GatewaySettings());
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}
