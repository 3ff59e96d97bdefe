using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AspireMmRag.Gateway.Catalog;

/// <summary>The catalog on SQLite (local mode), with its migrations in <c>Catalog/Migrations/Sqlite</c>. SQLite cannot order
/// or compare <see cref="DateTimeOffset"/> columns, so they are stored as numbers.</summary>
public sealed class SqliteCatalogDbContext(DbContextOptions<SqliteCatalogDbContext> options) : CatalogDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        configuration.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configuration.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>For <c>dotnet ef migrations add … --context SqliteCatalogDbContext</c>: no database is opened.</summary>
public sealed class SqliteCatalogDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCatalogDbContext>
{
    public SqliteCatalogDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCatalogDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
