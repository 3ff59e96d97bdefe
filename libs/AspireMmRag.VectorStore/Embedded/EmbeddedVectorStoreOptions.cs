namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Settings of <see cref="EmbeddedVectorStore"/> (configuration section <c>VectorStore:Embedded</c> by convention).</summary>
public sealed class EmbeddedVectorStoreOptions
{
    /// <summary>The data directory: <c>vectors.db</c> (SQLite, WAL), the index snapshots and the writer's lock file.
    /// Writer and readers must point at the same local directory (not a network share: WAL needs shared memory).</summary>
    public string Directory { get; set; } = "";

    public VectorStoreRole Role { get; set; } = VectorStoreRole.Writer;

    /// <summary>Below this many rows a collection has no ANN index and every search is an exact scan.</summary>
    public int ExactScanThreshold { get; set; } = 20_000;

    /// <summary>A filtered search (document or source) whose filter matches at most this many rows scans those rows
    /// exactly, found through SQLite's indexes, instead of asking the ANN index for filtered neighbours.</summary>
    public int FilteredExactScanThreshold { get; set; } = 2_000;

    public EmbeddedHnswOptions Hnsw { get; set; } = new();

    /// <summary>How often the writer saves the index snapshot that readers and restarts load (when it changed).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The writer also saves a snapshot once this many rows went into the index since the last one (0 = only
    /// by <see cref="SnapshotInterval"/>): readers scan the rows newer than their snapshot exactly, so this bounds that
    /// work during bulk loads.</summary>
    public int SnapshotAfterRows { get; set; } = 50_000;

    /// <summary>Whether disposing the writer saves a last snapshot, so that the next start replays fewer rows.</summary>
    public bool SnapshotOnDispose { get; set; } = true;

    /// <summary>How often a reader polls the database for the writer's changes.</summary>
    public TimeSpan ReaderPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether a reader checks for the writer's changes before every search (one small SQLite query), so that a
    /// search never misses a row committed before it started. Off: rows show up within <see cref="ReaderPollInterval"/>.</summary>
    public bool RefreshOnSearch { get; set; }

    /// <summary>Rows per SQLite transaction when an upsert or delete carries more.</summary>
    public int WriteBatchSize { get; set; } = 4_096;

    /// <summary>How long a statement waits for SQLite's locks (another process checkpointing or writing).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Full-text search keeps an in-memory copy of the passages' FTS5 index (<see cref="PassageTermIndex"/>) while there
    /// are at most this many passages (0: never), built after the first full-text search; it ranks as FTS5 does, in
    /// microseconds instead of milliseconds. It holds about 8 bytes per distinct word of each passage (some 1–2 KB per
    /// 256-token passage) plus the terms. Above the limit, FTS5 answers.
    /// </summary>
    public int TermIndexMaxRows { get; set; } = 200_000;

    /// <summary>The largest top-k a search accepts.</summary>
    public int MaxTopK { get; set; } = 1_000;
}
