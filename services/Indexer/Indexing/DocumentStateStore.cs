using Microsoft.Data.Sqlite;

namespace AspireMmRag.Indexer.Indexing;

/// <summary>What the indexer last applied to a document: the revision and crawl time of the last indexing it finished
/// (<see cref="Revision"/> empty when it only saw a delete), when that was, and when the document was last deleted.</summary>
public sealed record DocumentState(string Revision, DateTimeOffset CrawledAt, DateTimeOffset IndexedAt, DateTimeOffset? DeletedAt);

/// <summary>
/// <see cref="DocumentState"/> per document id in a small SQLite file (WAL), written after the vector store: an indexing
/// after its rows are written, a delete before its rows are removed. <see cref="RevisionOrder"/> reads it to skip messages
/// older than what is applied. Calls are serialized on one connection (they are tiny).
/// </summary>
public sealed class DocumentStateStore : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteConnection _connection;

    public DocumentStateStore(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS documents (
                document_id TEXT PRIMARY KEY NOT NULL,
                revision TEXT NOT NULL,
                crawled_at INTEGER NOT NULL,
                indexed_at INTEGER NOT NULL,
                deleted_at INTEGER NULL);
            """);
    }

    public string File => _connection.DataSource;

    public async Task<DocumentState?> GetAsync(string documentId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT revision, crawled_at, indexed_at, deleted_at FROM documents WHERE document_id = $id";
            command.Parameters.AddWithValue("$id", documentId);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }
            return new DocumentState(reader.GetString(0), Time(reader.GetInt64(1)), Time(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : Time(reader.GetInt64(3)));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An indexing of <paramref name="revision"/> (crawled at <paramref name="crawledAt"/>) is complete; clears a delete.</summary>
    public Task RecordIndexedAsync(string documentId, string revision, DateTimeOffset crawledAt, DateTimeOffset indexedAt, CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT INTO documents (document_id, revision, crawled_at, indexed_at, deleted_at) VALUES ($id, $revision, $crawled, $indexed, NULL)
            ON CONFLICT (document_id) DO UPDATE SET revision = $revision, crawled_at = $crawled, indexed_at = $indexed, deleted_at = NULL
            """, parameters =>
        {
            parameters.AddWithValue("$id", documentId);
            parameters.AddWithValue("$revision", revision);
            parameters.AddWithValue("$crawled", crawledAt.UtcTicks);
            parameters.AddWithValue("$indexed", indexedAt.UtcTicks);
        }, cancellationToken);

    /// <summary>The document is deleted as of <paramref name="deletedAt"/> (the later of two deletes is kept).</summary>
    public Task RecordDeletedAsync(string documentId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT INTO documents (document_id, revision, crawled_at, indexed_at, deleted_at) VALUES ($id, '', 0, 0, $deleted)
            ON CONFLICT (document_id) DO UPDATE SET deleted_at = max(coalesce(deleted_at, 0), $deleted)
            """, parameters =>
        {
            parameters.AddWithValue("$id", documentId);
            parameters.AddWithValue("$deleted", deletedAt.UtcTicks);
        }, cancellationToken);

    private async Task WriteAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            bind(command.Parameters);
            command.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static DateTimeOffset Time(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }
}
