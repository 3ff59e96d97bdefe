namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// The SQLite tables of one collection. Rows are immutable: an upsert of an existing id deletes the old row
/// (recording a tombstone) and inserts a new one under a new key, so an ANN index entry or a reader's cached key
/// never refers to other content. <c>key</c> is AUTOINCREMENT so that keys are never reused.
/// </summary>
internal sealed class CollectionSchema
{
    public static readonly CollectionSchema Passages = new(
        VectorCollection.Passages, "passages",
        [("title", "TEXT"), ("url", "TEXT"), ("section", "TEXT"), ("chunk_index", "INTEGER"), ("text", "TEXT")]);

    /// <summary>The extra columns of both image collections. A table that lacks some of them gets them on open
    /// (<see cref="AddColumnSql"/>).</summary>
    private static readonly (string Name, string Type)[] ImageColumns =
    [
        ("media_ref", "TEXT"), ("caption", "TEXT"), ("attribution", "TEXT"), ("url", "TEXT"),
        ("title", "TEXT"), ("section", "TEXT"), ("source_url", "TEXT"), ("description_url", "TEXT"), ("license", "TEXT"), ("mime_type", "TEXT"),
    ];

    public static readonly CollectionSchema Images = new(VectorCollection.Images, "images", ImageColumns);

    public static readonly CollectionSchema ImageCaptions = new(VectorCollection.ImageCaptions, "image_captions", ImageColumns);

    /// <summary>Indexed by <see cref="VectorCollection"/>.</summary>
    public static readonly IReadOnlyList<CollectionSchema> All = [Passages, Images, ImageCaptions];

    private CollectionSchema(VectorCollection collection, string table, (string Name, string Type)[] extras)
    {
        Collection = collection;
        Table = table;
        Tombstones = table + "_tombstones";
        ExtraColumns = extras.Select(e => e.Name).ToArray();
        _extraTypes = extras.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);
        var extraDefinitions = string.Concat(extras.Select(e => $"  {e.Name} {e.Type} NOT NULL,\n"));
        CreateSql = $"""
            CREATE TABLE IF NOT EXISTS {Table} (
              key INTEGER PRIMARY KEY AUTOINCREMENT,
              id TEXT NOT NULL UNIQUE,
              document_id TEXT NOT NULL,
              source TEXT NOT NULL,
              revision TEXT NOT NULL,
              seq INTEGER NOT NULL,
            {extraDefinitions}  vector BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS {Table}_document ON {Table}(document_id, source, seq);
            CREATE INDEX IF NOT EXISTS {Table}_source ON {Table}(source);
            CREATE INDEX IF NOT EXISTS {Table}_seq ON {Table}(seq);
            CREATE TABLE IF NOT EXISTS {Tombstones} (key INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS {Tombstones}_seq ON {Tombstones}(seq);
            """;
        var extraNames = string.Join(", ", ExtraColumns);
        var extraParameters = string.Join(", ", ExtraColumns.Select((_, i) => $"$e{i}"));
        InsertSql = $"""
            INSERT INTO {Table} (id, document_id, source, revision, seq, {extraNames}, vector)
            VALUES ($id, $document_id, $source, $revision, $seq, {extraParameters}, $vector) RETURNING key
            """;
        RecordColumns = $"key, id, document_id, source, revision, {extraNames}";
    }

    private readonly Dictionary<string, string> _extraTypes;

    public VectorCollection Collection { get; }

    public string Table { get; }

    public string Tombstones { get; }

    public IReadOnlyList<string> ExtraColumns { get; }

    public string CreateSql { get; }

    /// <summary>Parameters $id, $document_id, $source, $revision, $seq, $e0…, $vector; returns the new key.</summary>
    public string InsertSql { get; }

    /// <summary>key, id, document_id, source, revision, then the extra columns (ordinal 5 on).</summary>
    public string RecordColumns { get; }

    public const int FirstExtraOrdinal = 5;

    /// <summary>Adds an extra column missing from an existing table (its rows get an empty string, or 0 for an
    /// INTEGER column).</summary>
    public string AddColumnSql(string column)
    {
        var type = _extraTypes[column];
        var defaultValue = type == "INTEGER" ? "0" : "''";
        return $"ALTER TABLE {Table} ADD COLUMN {column} {type} NOT NULL DEFAULT {defaultValue}";
    }
}
