using System.Data.Common;

namespace AspireMmRag.Gateway.Catalog;

public enum CatalogProvider
{
    Sqlite,
    PostgreSql,
}

public static class CatalogProviders
{
    /// <summary>The provider a connection string is written for: <c>Host</c>/<c>Server</c> → PostgreSQL, <c>Data Source</c>/
    /// <c>Filename</c> → SQLite.</summary>
    /// <exception cref="InvalidOperationException">Neither.</exception>
    public static CatalogProvider Of(string connectionString)
    {
        var keys = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            return CatalogProvider.PostgreSql;
        }
        if (keys.ContainsKey("Data Source") || keys.ContainsKey("DataSource") || keys.ContainsKey("Filename"))
        {
            return CatalogProvider.Sqlite;
        }
        throw new InvalidOperationException("ConnectionStrings:catalog is neither a PostgreSQL (Host=…) nor a SQLite (Data Source=…) connection string.");
    }
}
