namespace AspireMmRag.VectorStore.Embedded;

/// <summary>How a search was served.</summary>
internal enum SearchRoute
{
    /// <summary>Exact scan of the in-memory fresh segments (no ANN index yet): the candidates are the answer.</summary>
    Memory,

    /// <summary>Few rows match the filter: scan them exactly through SQLite's indexes.</summary>
    FilteredSql,

    /// <summary>HNSW (filtered by liveness and the filter during traversal) merged with an exact scan of fresh rows.</summary>
    Ann,
}
