using Microsoft.Data.Sqlite;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// The SQLite FTS5 index of the passages (<c>passages_fts</c>): columns title, section and text of the
/// <c>passages</c> table, tokenizer <c>unicode61 remove_diacritics 2</c> ("Huế" matches "hue").
/// <list type="bullet">
/// <item>External content (<c>content='passages', content_rowid='key'</c>): the text is stored once, in the passage
/// row. Triggers keep the index in step inside the statement that writes the row, so in the same transaction, whoever
/// writes (this version, an older one without full-text code, a manual fix): an insert adds the row's tokens, a
/// delete removes them with the OLD values (a 'delete' with other values would leave stale tokens), an update of an
/// indexed column does both. Rows are immutable in practice (an upsert is delete plus insert under a new key).</item>
/// <item>Ranking: <c>bm25()</c> (lower is better, so scores are negated) with title and section weighted 0.5
/// and text 1 (<see cref="Weights"/>). Every chunk of a section carries the same title › section, so a heading
/// match says which document or section, not which chunk: at half weight it still lifts a document whose title names
/// the rare term, while the text decides between its chunks and outweighs headings of look-alike siblings.</item>
/// </list>
/// </summary>
internal static class PassageFullText
{
    public const string Table = "passages_fts";

    /// <summary>The tokenizer of the index (and of <see cref="FullTextTokenizer"/>'s probe).</summary>
    public const string Tokenizer = "unicode61 remove_diacritics 2";

    /// <summary>The <c>bm25()</c> column weights of title, section and text (<see cref="Weights"/>).</summary>
    public const double TitleWeight = 0.5;
    public const double SectionWeight = 0.5;
    public const double TextWeight = 1.0;

    /// <summary>The weights as <c>bm25()</c>'s arguments.</summary>
    public static readonly string Weights = string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{TitleWeight:R}, {SectionWeight:R}, {TextWeight:R}");

    private static readonly CollectionSchema Passages = CollectionSchema.Passages;

    private const string CreateSql = $"""
        CREATE VIRTUAL TABLE passages_fts USING fts5(
          title, section, text,
          content = 'passages', content_rowid = 'key',
          tokenize = '{Tokenizer}'
        );
        CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
          INSERT INTO passages_fts (rowid, title, section, text) VALUES (new.key, new.title, new.section, new.text);
        END;
        CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
          INSERT INTO passages_fts (passages_fts, rowid, title, section, text) VALUES ('delete', old.key, old.title, old.section, old.text);
        END;
        CREATE TRIGGER passages_fts_update AFTER UPDATE OF key, title, section, text ON passages BEGIN
          INSERT INTO passages_fts (passages_fts, rowid, title, section, text) VALUES ('delete', old.key, old.title, old.section, old.text);
          INSERT INTO passages_fts (rowid, title, section, text) VALUES (new.key, new.title, new.section, new.text);
        END;
        INSERT INTO passages_fts (passages_fts) VALUES ('rebuild');
        """;

    private const string ExistsSql = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{Table}'";

    /// <summary>
    /// The keys (the index's <c>rowid</c>) and BM25 scores (negated: higher is better) of the best <c>$limit</c> rows for
    /// <c>$match</c> (from <see cref="FullTextQuery.ToFts5Match(IReadOnlyList{string})"/>) that satisfy <paramref name="where"/>
    /// (a condition on <c>rowid</c>), best first, ties by key. A filter on passage columns belongs in
    /// <paramref name="where"/> as <c>+rowid IN (SELECT key FROM passages WHERE …)</c> (the unary <c>+</c> makes it a
    /// check against one key set; without it SQLite runs one MATCH per key).
    /// </summary>
    public static string SearchSql(string where) => $"""
        SELECT k, -score FROM (
          SELECT rowid AS k, bm25({Table}, {Weights}) AS score FROM {Table}
          WHERE {Table} MATCH $match AND {where}
          ORDER BY score, rowid LIMIT $limit
        )
        """;

    /// <summary>
    /// The number of rows that match <c>$match</c> (one quoted word: its document frequency, as the index's own tokenizer
    /// splits and folds it). FTS5 answers a count by walking the word's doclist, with no ranking and no row read: about
    /// 1 ms for a word in every one of 10k rows, against 15–30 ms to rank them. (An <c>fts5vocab</c> table would need a
    /// CREATE, which a <c>query_only</c> reader may not run even in TEMP, and took twice as long for such a word.)
    /// </summary>
    public const string DocumentFrequencySql = $"SELECT count(*) FROM {Table} WHERE {Table} MATCH $match";

    /// <summary>The smallest key written after change sequence <c>$upto</c>, or nothing. Keys grow with every write
    /// (AUTOINCREMENT, one writer), so a row was written at or before <c>$upto</c> exactly when its key is smaller.</summary>
    public const string FirstKeyAfterSql = "SELECT key FROM passages WHERE seq > $upto ORDER BY seq, key LIMIT 1";

    /// <summary>Whether the index exists (a database written by a version before full-text search has none until its
    /// writer opens it).</summary>
    public static bool Exists(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = ExistsSql;
        return (long)command.ExecuteScalar()! > 0;
    }

    /// <summary>Creates the index and its triggers when the passages table exists and the index does not, and fills it
    /// from the existing rows ('rebuild'), all in <paramref name="transaction"/>. Returns whether it created it.</summary>
    public static bool EnsureCreated(SqliteConnection connection, SqliteTransaction transaction)
    {
        if (Exists(connection, transaction))
        {
            return false;
        }
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{Passages.Table}'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return false;
        }
        command.CommandText = CreateSql;
        command.ExecuteNonQuery();
        return true;
    }
}
