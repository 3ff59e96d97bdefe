using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>The catalog on PostgreSQL (container mode), with its migrations in <c>Catalog/Migrations/Postgres</c>.</summary>
public sealed class PostgresCatalogDbContext(DbContextOptions<PostgresCatalogDbContext> options) : CatalogDbContext(options);

/// <summary>For <c>dotnet ef migrations add … --context PostgresCatalogDbContext</c>: no database is opened.</summary>
public sealed class PostgresCatalogDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCatalogDbContext>
{
    public PostgresCatalogDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCatalogDbContext>().UseNpgsql("Host=localhost;Database=catalog").Options);
}
