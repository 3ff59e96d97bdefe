using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// Queries on a pooled read connection (<c>query_only</c>); with a transaction, all of them see one consistent state
/// of the database, whatever the writer commits meanwhile.
/// </summary>
internal sealed class ReadSession : IDisposable
{
    private readonly EmbeddedDatabase _database;
    private readonly PooledConnection _connection;
    private readonly SqliteTransaction? _transaction;

    public ReadSession(EmbeddedDatabase database, PooledConnection connection, bool transaction)
    {
        _database = database;
        _connection = connection;
        _transaction = transaction ? connection.Connection.BeginTransaction(deferred: true) : null;
    }

    public long ReadSeq() =>
        _connection.Command("SELECT value FROM meta WHERE name = 'seq'", _transaction).ExecuteScalar() is long seq ? seq : 0;

    /// <summary>The collection's row, or null when it (or the whole schema) does not exist yet.</summary>
    public CollectionInfo? ReadInfo(CollectionSchema schema)
    {
        try
        {
            var command = _connection.Command(
                "SELECT dimension, row_count, snapshot_file, snapshot_seq, tombstones_pruned_through FROM collections WHERE name = $name",
                _transaction);
            PooledConnection.Set(command, "$name", schema.Table);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new CollectionInfo(reader.GetInt32(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4))
                : null;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>Key, document and source of every row (from the covering document index, not the wide table).</summary>
    public void ScanRows(CollectionSchema schema, Action<long, string, string> onRow)
    {
        var command = _connection.Command(
            $"SELECT key, document_id, source FROM {schema.Table} INDEXED BY {schema.Table}_document", _transaction);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            onRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
        }
    }

    /// <summary>Rows with <c>after &lt; seq &lt;= upTo</c>, in sequence order, with their vectors.</summary>
    public void ScanFresh(CollectionSchema schema, int dimension, long after, long upTo, FreshRowHandler onRow)
    {
        var command = _connection.Command(
            $"SELECT key, seq, document_id, source, vector FROM {schema.Table} WHERE seq > $after AND seq <= $upto ORDER BY seq, key",
            _transaction);
        PooledConnection.Set(command, "$after", after);
        PooledConnection.Set(command, "$upto", upTo);
        var buffer = new byte[dimension * sizeof(float)];
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var read = reader.GetBytes(4, 0, buffer, 0, buffer.Length);
            if (read != buffer.Length)
            {
                throw new VectorStoreException($"Row {reader.GetInt64(0)} of {schema.Table} has a {read}-byte vector; {buffer.Length} expected.");
            }
            onRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), MemoryMarshal.Cast<byte, float>(buffer.AsSpan()));
        }
    }

    /// <summary>Keys deleted (or replaced) with <c>after &lt; seq &lt;= upTo</c>.</summary>
    public List<long> ReadTombstones(CollectionSchema schema, long after, long upTo)
    {
        var command = _connection.Command($"SELECT key FROM {schema.Tombstones} WHERE seq > $after AND seq <= $upto", _transaction);
        PooledConnection.Set(command, "$after", after);
        PooledConnection.Set(command, "$upto", upTo);
        var keys = new List<long>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            keys.Add(reader.GetInt64(0));
        }
        return keys;
    }

    /// <summary>Exact top-k over the rows whose document is one of <paramref name="documentIds"/> and whose source is one
    /// of <paramref name="sources"/> (null: any), found through the SQLite indexes.</summary>
    public void ExactScan(CollectionSchema schema, IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources,
        ReadOnlySpan<float> query, TopK top, float minScore)
    {
        var clauses = new List<string>(2);
        if (documentIds is not null)
        {
            clauses.Add(InClause("document_id", "$d", documentIds.Count));
        }
        if (sources is not null)
        {
            clauses.Add(InClause("source", "$s", sources.Count));
        }
        var where = clauses.Count == 0 ? "1" : string.Join(" AND ", clauses);
        var command = _connection.Command($"SELECT key, vector FROM {schema.Table} WHERE {where}", _transaction);
        BindIn(command, "$d", documentIds);
        BindIn(command, "$s", sources);
        var buffer = new byte[query.Length * sizeof(float)];
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var score = EmbeddedDatabase.Score(reader, 1, query, buffer);
            if (score >= minScore)
            {
                top.Add(reader.GetInt64(0), score);
            }
        }
    }

    /// <summary>
    /// The records of <paramref name="keys"/> that still exist; with <paramref name="query"/>, also their exact score
    /// (from the float32 vector; otherwise the score is NaN).
    /// </summary>
    public Dictionary<long, (T Record, float Score)> ReadRecords<T>(IRowMapper<T> mapper, IReadOnlyCollection<long> keys, ReadOnlySpan<float> query, bool rescore)
    {
        var result = new Dictionary<long, (T, float)>(keys.Count);
        if (keys.Count == 0)
        {
            return result;
        }
        var schema = mapper.Schema;
        var vectorOrdinal = CollectionSchema.FirstExtraOrdinal + schema.ExtraColumns.Count;
        var command = _connection.Command(
            $"SELECT {schema.RecordColumns}{(rescore ? ", vector" : "")} FROM {schema.Table} WHERE key IN (SELECT value FROM json_each($keys))",
            _transaction);
        PooledConnection.Set(command, "$keys", KeysJson(keys));
        var buffer = rescore ? new byte[query.Length * sizeof(float)] : [];
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var score = rescore ? EmbeddedDatabase.Score(reader, vectorOrdinal, query, buffer) : float.NaN;
            result[reader.GetInt64(0)] = (mapper.Read(reader), score);
        }
        return result;
    }

    /// <summary>Whether the database has the passages' full-text index (<see cref="PassageFullText"/>).</summary>
    public bool HasFullText() => PassageFullText.Exists(_connection.Connection, _transaction);

    /// <summary>The passages' row count (the <c>collections</c> row, kept in step by the writer), 0 without one.</summary>
    public long PassageRows() => ReadInfo(CollectionSchema.Passages)?.RowCount ?? 0;

    /// <summary>
    /// How many passages contain each of <paramref name="words"/> (terms of <see cref="FullTextTokenizer"/>), counted by
    /// the index (<see cref="PassageFullText.DocumentFrequencySql"/>), 0 for a word in no passage. The cost is that of
    /// walking each word's doclist, so callers cache the answers.
    /// </summary>
    public long[] DocumentFrequencies(IReadOnlyList<string> words)
    {
        var frequencies = new long[words.Count];
        var command = _connection.Command(PassageFullText.DocumentFrequencySql, _transaction);
        for (var i = 0; i < words.Count; i++)
        {
            PooledConnection.Set(command, "$match", FullTextQuery.ToFts5Match([words[i]]));
            frequencies[i] = (long)command.ExecuteScalar()!;
        }
        return frequencies;
    }

    /// <summary>
    /// The keys of the best <paramref name="limit"/> passages by BM25 for an FTS5 MATCH expression
    /// (<see cref="FullTextQuery.ToFts5Match(IReadOnlyList{string})"/>), best first, with their scores (higher is better),
    /// whose document is one of <paramref name="documentIds"/> and source one of <paramref name="sources"/> (null: any)
    /// and, with <paramref name="upToSeq"/>, that were written at or before that change sequence (use a session with a
    /// transaction then, so that the bound and the search see one state).
    /// </summary>
    public List<SearchCandidate> SearchText(string match, IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources,
        long? upToSeq, int limit)
    {
        var clauses = new List<string>(2);
        long? below = null;
        if (upToSeq is { } seq)
        {
            var first = _connection.Command(PassageFullText.FirstKeyAfterSql, _transaction);
            PooledConnection.Set(first, "$upto", seq);
            if (first.ExecuteScalar() is long key)
            {
                below = key;
                clauses.Add("rowid < $below");
            }
        }
        var filters = new List<string>(2);
        if (documentIds is not null)
        {
            filters.Add(InClause("document_id", "$d", documentIds.Count));
        }
        if (sources is not null)
        {
            filters.Add(InClause("source", "$s", sources.Count));
        }
        if (filters.Count > 0)
        {
            clauses.Add($"+rowid IN (SELECT key FROM {CollectionSchema.Passages.Table} WHERE {string.Join(" AND ", filters)})");
        }
        var command = _connection.Command(PassageFullText.SearchSql(clauses.Count == 0 ? "1" : string.Join(" AND ", clauses)), _transaction);
        PooledConnection.Set(command, "$match", match);
        PooledConnection.Set(command, "$limit", limit);
        BindIn(command, "$d", documentIds);
        BindIn(command, "$s", sources);
        if (below is not null)
        {
            PooledConnection.Set(command, "$below", below);
        }
        var hits = new List<SearchCandidate>(Math.Min(limit, 64));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            hits.Add(new SearchCandidate(reader.GetInt64(0), (float)reader.GetDouble(1), Exact: true));
        }
        return hits;
    }

    /// <summary>The indexed columns of the passages with <c>after &lt; seq &lt;= upTo</c> (all of them from
    /// <c>after</c> -1), for <see cref="PassageTermIndex"/>.</summary>
    public void ScanPassageText(long after, long upTo, Action<PassageText> onRow)
    {
        var command = _connection.Command(
            $"SELECT key, document_id, source, title, section, text FROM {CollectionSchema.Passages.Table} WHERE seq > $after AND seq <= $upto",
            _transaction);
        PooledConnection.Set(command, "$after", after);
        PooledConnection.Set(command, "$upto", upTo);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            onRow(new PassageText(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Text(reader, 3), Text(reader, 4), Text(reader, 5)));
        }

        static string Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? "" : reader.GetString(ordinal);
    }

    /// <summary>The exact scores (from the float32 vectors) of those of <paramref name="keys"/> that still exist.</summary>
    public Dictionary<long, float> ReadScores(CollectionSchema schema, IReadOnlyCollection<long> keys, ReadOnlySpan<float> query)
    {
        var scores = new Dictionary<long, float>(keys.Count);
        if (keys.Count == 0)
        {
            return scores;
        }
        var command = _connection.Command($"SELECT key, vector FROM {schema.Table} WHERE key IN (SELECT value FROM json_each($keys))", _transaction);
        PooledConnection.Set(command, "$keys", KeysJson(keys));
        var buffer = new byte[query.Length * sizeof(float)];
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            scores[reader.GetInt64(0)] = EmbeddedDatabase.Score(reader, 1, query, buffer);
        }
        return scores;
    }

    private static string KeysJson(IReadOnlyCollection<long> keys)
    {
        var json = new StringBuilder(keys.Count * 8).Append('[');
        foreach (var key in keys)
        {
            json.Append(key).Append(',');
        }
        json[^1] = ']';
        return json.ToString();
    }

    /// <summary>Above this many values an IN list takes them as one JSON array parameter (SQLite caps the number of
    /// parameters of a statement).</summary>
    private const int MaxInParameters = 256;

    /// <summary><c>column IN ($p0, $p1, …)</c> with the count rounded up to a power of two (the spare parameters are
    /// NULL, which matches nothing), so that few statement texts get prepared; or
    /// <c>column IN (SELECT value FROM json_each($p))</c> for many values.</summary>
    private static string InClause(string column, string prefix, int count) =>
        count > MaxInParameters
            ? $"{column} IN (SELECT value FROM json_each({prefix}))"
            : $"{column} IN ({string.Join(", ", Enumerable.Range(0, InParameterCount(count)).Select(i => $"{prefix}{i}"))})";

    private static int InParameterCount(int count) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, count));

    private static void BindIn(SqliteCommand command, string prefix, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }
        if (values.Count > MaxInParameters)
        {
            PooledConnection.Set(command, prefix, System.Text.Json.JsonSerializer.Serialize(values));
            return;
        }
        var parameters = InParameterCount(values.Count);
        for (var i = 0; i < parameters; i++)
        {
            PooledConnection.Set(command, $"{prefix}{i}", i < values.Count ? values[i] : null);
        }
    }

    public List<string> ListIds(CollectionSchema schema, string documentId)
    {
        var command = _connection.Command($"SELECT id FROM {schema.Table} WHERE document_id = $document_id ORDER BY id", _transaction);
        PooledConnection.Set(command, "$document_id", documentId);
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public long Count(CollectionSchema schema, string? documentId)
    {
        if (documentId is null)
        {
            return ReadInfo(schema)?.RowCount ?? 0;
        }
        var command = _connection.Command($"SELECT COUNT(*) FROM {schema.Table} WHERE document_id = $document_id", _transaction);
        PooledConnection.Set(command, "$document_id", documentId);
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        if (_transaction is not null)
        {
            try
            {
                _transaction.Commit();
            }
            finally
            {
                _transaction.Dispose();
            }
        }
        _database.Return(_connection);
    }
}
