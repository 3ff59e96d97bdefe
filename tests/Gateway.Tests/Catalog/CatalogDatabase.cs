using AspireMmRag.Gateway.Catalog;
using AspireMmRag.TestModels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspireMmRag.Gateway.Tests.Catalog;

/// <summary>One PostgreSQL server for a test class (started on first use); every <see cref="CreateAsync"/> makes a fresh,
/// migrated catalog on the provider asked for, with the gateway's catalog services around it.</summary>
public sealed class CatalogDatabases : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _root = Directory.CreateTempSubdirectory("mmrag-catalog-").FullName;
    private PostgresService? _postgres;

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static TheoryData<string> Providers => new(Sqlite, Postgres);

    public async Task<ServiceProvider> CreateAsync(string provider)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        if (provider == Postgres)
        {
            var connectionString = await (await PostgresAsync()).CreateDatabaseAsync();
            services.AddDbContext<PostgresCatalogDbContext>(options => options.UseNpgsql(connectionString));
            services.AddScoped<CatalogDbContext>(sp => sp.GetRequiredService<PostgresCatalogDbContext>());
        }
        else
        {
            var file = Path.Combine(_root, Guid.NewGuid().ToString("N") + ".db");
            services.AddDbContext<SqliteCatalogDbContext>(options => options.UseSqlite($"Data Source={file}"));
            services.AddScoped<CatalogDbContext>(sp => sp.GetRequiredService<SqliteCatalogDbContext>());
        }
        services.AddSingleton<JobEventSignal>();
        services.AddScoped<CatalogProjection>();
        services.AddScoped<CatalogUpdater>();
        services.AddScoped<JobCatalog>();
        services.AddScoped<DocumentCatalog>();
        var provided = services.BuildServiceProvider();
        await new CatalogMigrator(provided.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, NullLogger<CatalogMigrator>.Instance)
            .StartAsync(CancellationToken.None);
        return provided;
    }

    private async Task<PostgresService> PostgresAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_postgres is null)
            {
                var server = new PostgresService();
                await server.StartAsync();
                _postgres = server;
            }
            return _postgres;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
