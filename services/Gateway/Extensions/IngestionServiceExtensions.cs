using AspireMmRag.Gateway.Catalog;
using AspireMmRag.Gateway.Ingestion;
using AspireMmRag.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AspireMmRag.Gateway.Extensions;

/// <summary>The ingestion half: the catalog database (SQLite or PostgreSQL, from <c>ConnectionStrings:catalog</c>), its
/// migration at start, the message bus (<c>ConnectionStrings:messaging</c>) with the catalog's event consumer, and the services
/// of the ingest and documents endpoints. Without either connection string, nothing is registered and
/// <see cref="IngestionAvailability"/> says what is missing.</summary>
public static class IngestionServiceExtensions
{
    public const string CatalogConnectionName = "catalog";

    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var catalog = builder.Configuration.GetConnectionString(CatalogConnectionName);
        var messaging = builder.Configuration.GetConnectionString(MessagingExtensions.ConnectionName);
        var missing = new[] { (CatalogConnectionName, catalog), (MessagingExtensions.ConnectionName, messaging) }
            .Where(entry => string.IsNullOrWhiteSpace(entry.Item2)).Select(entry => $"ConnectionStrings:{entry.Item1}").ToArray();
        if (missing.Length > 0)
        {
            services.AddSingleton(IngestionAvailability.Unavailable(
                $"Ingestion is not configured: {string.Join(" and ", missing)} {(missing.Length == 1 ? "is" : "are")} not set (the AppHost sets both)."));
            return builder;
        }
        services.AddSingleton(IngestionAvailability.Available);
        services.TryAddSingleton(TimeProvider.System);

        switch (CatalogProviders.Of(catalog!))
        {
            case CatalogProvider.PostgreSql:
                builder.AddNpgsqlDbContext<PostgresCatalogDbContext>(CatalogConnectionName);
                services.AddScoped<CatalogDbContext>(provider => provider.GetRequiredService<PostgresCatalogDbContext>());
                break;
            default:
                services.AddDbContext<SqliteCatalogDbContext>(options => options.UseSqlite(catalog));
                services.AddScoped<CatalogDbContext>(provider => provider.GetRequiredService<SqliteCatalogDbContext>());
                break;
        }
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName)
            .Validate(o => o.MaxTitles > 0 && o.PublishTimeout > TimeSpan.Zero && o.EventPollInterval > TimeSpan.Zero,
                "Ingestion: MaxTitles, PublishTimeout and EventPollInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<IngestRequestParser>();
        services.AddSingleton<CommandPublisher>();
        services.AddSingleton<JobEventSignal>();
        services.AddScoped<CatalogProjection>();
        services.AddScoped<CatalogUpdater>();
        services.AddScoped<JobCatalog>();
        services.AddScoped<DocumentCatalog>();

        // Before the bus: hosted services start in order, so no event is consumed before the schema is there.
        services.AddHostedService<CatalogMigrator>();
        builder.AddRabbitMqMessaging(bus => bus.AddConsumer<CatalogEventsConsumer>(typeof(CatalogEventsConsumerDefinition)));
        return builder;
    }
}

/// <summary>Whether the ingest and documents endpoints can work, and if not, why.</summary>
public sealed record IngestionAvailability(bool IsAvailable, string Reason)
{
    public static readonly IngestionAvailability Available = new(true, "");

    public static IngestionAvailability Unavailable(string reason) => new(false, reason);
}
