using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// The SQLite side of the embedded store, the source of truth: <c>vectors.db</c> in WAL mode, so one writer and any
/// number of reader connections (in this and other processes) work at the same time. Every write transaction takes the
/// next value of a global change sequence (<c>meta.seq</c>): new rows carry it, deleted and replaced rows leave a
/// tombstone with it, and readers replay "everything after the sequence I have".
/// Write methods use one connection and must be called by one thread at a time (the store's write gate).
/// </summary>
internal sealed class EmbeddedDatabase : IDisposable
{
    public const string FileName = "vectors.db";

    private const string BaseSchemaSql = """
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta (name, value) VALUES ('seq', 0);
        CREATE TABLE IF NOT EXISTS collections (
          name TEXT PRIMARY KEY,
          dimension INTEGER NOT NULL,
          row_count INTEGER NOT NULL DEFAULT 0,
          snapshot_file TEXT,
          snapshot_seq INTEGER NOT NULL DEFAULT 0,
          tombstones_pruned_through INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        """;

    private const string NextSeqSql = "UPDATE meta SET value = value + 1 WHERE name = 'seq' RETURNING value";

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly ConcurrentBag<PooledConnection> _readers = [];
    private PooledConnection? _writer;
    private bool _disposed;

    public EmbeddedDatabase(string directory, TimeSpan busyTimeout)
    {
        Directory = directory;
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
    }

    public string Directory { get; }

    /// <summary>Creates the file (WAL mode) and the base tables when missing, and adds the columns that collection
    /// tables created by an older version lack. With <paramref name="upgradeFullText"/> (the writer), also creates the
    /// passages' full-text index of a database written before it existed and fills it from the rows, in the same
    /// transaction (<see cref="PassageFullText"/>); readers leave that to the writer, as it takes the write lock.
    /// Returns whether it built that index.</summary>
    public bool Initialize(bool upgradeFullText)
    {
        var connection = Writer();
        using var transaction = connection.Connection.BeginTransaction();
        Execute(connection, transaction, BaseSchemaSql);
        foreach (var schema in CollectionSchema.All)
        {
            AddMissingColumns(connection, transaction, schema);
        }
        var built = upgradeFullText && PassageFullText.EnsureCreated(connection.Connection, transaction);
        transaction.Commit();
        return built;
    }

    /// <summary>
    /// Creates missing collections with their dimension; a collection stored with another dimension is a
    /// <see cref="VectorStoreException"/> (and nothing is created). With <paramref name="upgradeFullText"/> (the writer),
    /// the passages collection gets its full-text index when it lacks one.
    /// </summary>
    public void EnsureCollections(IReadOnlyList<(CollectionSchema Schema, int Dimension)> collections, bool upgradeFullText)
    {
        var connection = Writer();
        using var transaction = connection.Connection.BeginTransaction();
        Execute(connection, transaction, BaseSchemaSql);
        foreach (var (schema, dimension) in collections)
        {
            var select = connection.Command("SELECT dimension FROM collections WHERE name = $name", transaction);
            PooledConnection.Set(select, "$name", schema.Table);
            var stored = select.ExecuteScalar();
            if (stored is long existing && existing != dimension)
            {
                throw new VectorStoreException(
                    $"The {schema.Table} collection stores {existing}-dimensional vectors; {dimension} were requested. " +
                    $"Use another directory or delete {Path.Combine(Directory, FileName)} to re-index.");
            }
            if (stored is null)
            {
                var insert = connection.Command("INSERT INTO collections (name, dimension) VALUES ($name, $dimension)", transaction);
                PooledConnection.Set(insert, "$name", schema.Table);
                PooledConnection.Set(insert, "$dimension", dimension);
                insert.ExecuteNonQuery();
            }
            Execute(connection, transaction, schema.CreateSql);
            AddMissingColumns(connection, transaction, schema);
            if (upgradeFullText && schema == CollectionSchema.Passages)
            {
                PassageFullText.EnsureCreated(connection.Connection, transaction);
            }
        }
        transaction.Commit();
    }

    /// <summary>
    /// Inserts the records (deleting the rows they replace) in one transaction. <paramref name="vectors"/> are the
    /// validated, normalized vectors of <paramref name="records"/> (same order); ids are unique within the batch.
    /// </summary>
    public CollectionChanges Upsert<T>(IRowMapper<T> mapper, IReadOnlyList<T> records, IReadOnlyList<float[]> vectors)
    {
        var schema = mapper.Schema;
        var connection = Writer();
        using var transaction = connection.Connection.BeginTransaction();
        var seq = NextSeq(connection, transaction);
        var delete = connection.Command($"DELETE FROM {schema.Table} WHERE id = $id RETURNING key", transaction);
        var tombstone = connection.Command($"INSERT OR REPLACE INTO {schema.Tombstones} (key, seq) VALUES ($key, $seq)", transaction);
        var insert = connection.Command(schema.InsertSql, transaction);
        PooledConnection.Set(tombstone, "$seq", seq);
        PooledConnection.Set(insert, "$seq", seq);
        var deleted = new List<long>();
        var added = new List<AddedRow>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var id = mapper.Id(record);
            PooledConnection.Set(delete, "$id", id);
            if (delete.ExecuteScalar() is long replaced)
            {
                PooledConnection.Set(tombstone, "$key", replaced);
                tombstone.ExecuteNonQuery();
                deleted.Add(replaced);
            }
            var documentId = mapper.DocumentId(record);
            var source = mapper.Source(record);
            PooledConnection.Set(insert, "$id", id);
            PooledConnection.Set(insert, "$document_id", documentId);
            PooledConnection.Set(insert, "$source", source);
            PooledConnection.Set(insert, "$revision", mapper.Revision(record));
            if (insert.Parameters.IndexOf("$e0") < 0)
            {
                for (var e = 0; e < schema.ExtraColumns.Count; e++)
                {
                    insert.Parameters.AddWithValue($"$e{e}", DBNull.Value);
                }
            }
            mapper.BindExtras(insert.Parameters, record);
            PooledConnection.Set(insert, "$vector", MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray());
            var key = (long)insert.ExecuteScalar()!;
            added.Add(new AddedRow(key, seq, documentId, source, vectors[i]));
        }
        AddRowCount(connection, transaction, schema, added.Count - deleted.Count);
        transaction.Commit();
        return new CollectionChanges(seq, deleted, added);
    }

    /// <summary>Deletes rows by id in one transaction; unknown ids are ignored.</summary>
    public CollectionChanges Delete(CollectionSchema schema, IReadOnlyList<string> ids)
    {
        var connection = Writer();
        using var transaction = connection.Connection.BeginTransaction();
        var seq = NextSeq(connection, transaction);
        var delete = connection.Command($"DELETE FROM {schema.Table} WHERE id = $id RETURNING key", transaction);
        var deleted = new List<long>();
        foreach (var id in ids)
        {
            PooledConnection.Set(delete, "$id", id);
            if (delete.ExecuteScalar() is long key)
            {
                deleted.Add(key);
            }
        }
        AddTombstones(connection, transaction, schema, deleted, seq);
        AddRowCount(connection, transaction, schema, -deleted.Count);
        transaction.Commit();
        return new CollectionChanges(seq, deleted, []);
    }

    /// <summary>Deletes every row of a document in the given collections, in one transaction.</summary>
    public IReadOnlyList<CollectionChanges> DeleteDocument(IReadOnlyList<CollectionSchema> schemas, string documentId)
    {
        var connection = Writer();
        using var transaction = connection.Connection.BeginTransaction();
        var seq = NextSeq(connection, transaction);
        var changes = new List<CollectionChanges>(schemas.Count);
        foreach (var schema in schemas)
        {
            var delete = connection.Command($"DELETE FROM {schema.Table} WHERE document_id = $document_id RETURNING key", transaction);
            PooledConnection.Set(delete, "$document_id", documentId);
            var deleted = new List<long>();
            using (var reader = delete.ExecuteReader())
            {
                while (reader.Read())
                {
                    deleted.Add(reader.GetInt64(0));
                }
            }
            AddTombstones(connection, transaction, schema, deleted, seq);
            AddRowCount(connection, transaction, schema, -deleted.Count);
            changes.Add(new CollectionChanges(seq, deleted, []));
        }
        transaction.Commit();
        return changes;
    }

    /// <summary>
    /// Points the collection at a new index snapshot and drops the tombstones a reader can no longer need
    /// (those at or before <paramref name="pruneThrough"/>, the previous snapshot). Bumps the change sequence so that
    /// readers notice. Returns that sequence.
    /// </summary>
    public long RecordSnapshot(CollectionSchema schema, string file, long snapshotSeq, long pruneThrough)
    {
        var connection = Writer();
        using var transaction = connection.Connection.BeginTransaction();
        var seq = NextSeq(connection, transaction);
        var update = connection.Command(
            """
            UPDATE collections SET snapshot_file = $file, snapshot_seq = $snapshot_seq,
              tombstones_pruned_through = MAX(tombstones_pruned_through, $prune) WHERE name = $name
            """, transaction);
        PooledConnection.Set(update, "$file", file);
        PooledConnection.Set(update, "$snapshot_seq", snapshotSeq);
        PooledConnection.Set(update, "$prune", pruneThrough);
        PooledConnection.Set(update, "$name", schema.Table);
        update.ExecuteNonQuery();
        var prune = connection.Command($"DELETE FROM {schema.Tombstones} WHERE seq <= $prune", transaction);
        PooledConnection.Set(prune, "$prune", pruneThrough);
        prune.ExecuteNonQuery();
        transaction.Commit();
        return seq;
    }

    /// <summary>A pooled read connection, optionally inside one read transaction (a consistent view across queries).</summary>
    public ReadSession Read(bool transaction = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_readers.TryTake(out var connection))
        {
            connection = Open(write: false);
        }
        return new ReadSession(this, connection, transaction);
    }

    internal void Return(PooledConnection connection)
    {
        if (_disposed)
        {
            connection.Dispose();
        }
        else
        {
            _readers.Add(connection);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _writer?.Dispose();
        _writer = null;
        while (_readers.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    private PooledConnection Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer ??= Open(write: true);
    }

    private PooledConnection Open(bool write)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            var pooled = new PooledConnection(connection);
            var pragmas = new StringBuilder().Append(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMs};");
            if (write)
            {
                // WAL: readers (other connections and processes) never block the writer or each other.
                // synchronous = NORMAL in WAL mode: a commit is durable once it returns as far as a crash of this or any
                // process goes (the WAL is in the OS page cache); only a power loss or OS crash can roll back the last
                // transactions (they are fsynced at checkpoints). The ANN snapshot pointer lives in the same database, so
                // such a rollback stays consistent with the rows.
                pragmas.Append("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;");
                pragmas.Append("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;");
            }
            else
            {
                pragmas.Append("PRAGMA query_only = ON; PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;");
            }
            using (var command = connection.CreateCommand())
            {
                command.CommandText = pragmas.ToString();
                command.ExecuteNonQuery();
            }
            return pooled;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static long NextSeq(PooledConnection connection, SqliteTransaction transaction) =>
        (long)connection.Command(NextSeqSql, transaction).ExecuteScalar()!;

    private static void AddTombstones(PooledConnection connection, SqliteTransaction transaction, CollectionSchema schema, List<long> keys, long seq)
    {
        if (keys.Count == 0)
        {
            return;
        }
        var tombstone = connection.Command($"INSERT OR REPLACE INTO {schema.Tombstones} (key, seq) VALUES ($key, $seq)", transaction);
        PooledConnection.Set(tombstone, "$seq", seq);
        foreach (var key in keys)
        {
            PooledConnection.Set(tombstone, "$key", key);
            tombstone.ExecuteNonQuery();
        }
    }

    private static void AddRowCount(PooledConnection connection, SqliteTransaction transaction, CollectionSchema schema, long delta)
    {
        if (delta == 0)
        {
            return;
        }
        var update = connection.Command("UPDATE collections SET row_count = row_count + $delta WHERE name = $name", transaction);
        PooledConnection.Set(update, "$delta", delta);
        PooledConnection.Set(update, "$name", schema.Table);
        update.ExecuteNonQuery();
    }

    /// <summary>Adds the extra columns the collection's table lacks (nothing when the table does not exist).</summary>
    private static void AddMissingColumns(PooledConnection connection, SqliteTransaction transaction, CollectionSchema schema)
    {
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.Connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT name FROM pragma_table_info($table)";
            command.Parameters.AddWithValue("$table", schema.Table);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                existing.Add(reader.GetString(0));
            }
        }
        if (existing.Count == 0)
        {
            return;
        }
        foreach (var column in schema.ExtraColumns)
        {
            if (!existing.Contains(column))
            {
                Execute(connection, transaction, schema.AddColumnSql(column));
            }
        }
    }

    private static void Execute(PooledConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Dot product of a query with a stored float32 vector BLOB (column <paramref name="ordinal"/>).</summary>
    internal static float Score(SqliteDataReader reader, int ordinal, ReadOnlySpan<float> query, byte[] buffer)
    {
        var read = reader.GetBytes(ordinal, 0, buffer, 0, buffer.Length);
        if (read != buffer.Length)
        {
            throw new VectorStoreException($"A stored vector has {read} bytes; {buffer.Length} expected.");
        }
        return TensorPrimitives.Dot(query, MemoryMarshal.Cast<byte, float>(buffer.AsSpan()));
    }
}
