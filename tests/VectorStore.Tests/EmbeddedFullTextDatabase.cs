using AspireMmRag.VectorStore.Embedded;
using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>Direct SQLite access to a store's full-text index: FTS5's integrity check, its row count, and removing it
/// (a database as written before full-text search existed).</summary>
internal static class EmbeddedFullTextDatabase
{
    /// <summary>FTS5 'integrity-check' with rank 1 (compares the index with the passage rows): throws SQLITE_CORRUPT on
    /// stale or missing tokens.</summary>
    public static void AssertIntegrity(string directory)
    {
        using var connection = Connect(directory);
        Execute(connection, $"INSERT INTO {PassageFullText.Table} ({PassageFullText.Table}, rank) VALUES ('integrity-check', 1)");
    }

    /// <summary>Rows whose tokens the index holds (the external-content table's own row count is the passages').</summary>
    public static long IndexedRows(string directory)
    {
        using var connection = Connect(directory);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {PassageFullText.Table}_docsize";
        return (long)command.ExecuteScalar()!;
    }

    public static bool Exists(string directory)
    {
        using var connection = Connect(directory);
        return PassageFullText.Exists(connection, null);
    }

    /// <summary>Drops the index and its triggers, leaving the passage rows: the schema of a database from before.</summary>
    public static void Remove(string directory)
    {
        using var connection = Connect(directory);
        Execute(connection, $"""
            DROP TRIGGER passages_fts_insert;
            DROP TRIGGER passages_fts_delete;
            DROP TRIGGER passages_fts_update;
            DROP TABLE {PassageFullText.Table};
            """);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection Connect(string directory)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, EmbeddedDatabase.FileName),
            Pooling = false,
            DefaultTimeout = 10,
        }.ToString());
        connection.Open();
        return connection;
    }
}
