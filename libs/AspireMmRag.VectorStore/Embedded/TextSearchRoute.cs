namespace AspireMmRag.VectorStore.Embedded;

/// <summary>How a full-text search was served.</summary>
internal enum TextSearchRoute
{
    /// <summary>No full-text search yet.</summary>
    None,

    /// <summary>The in-memory index (<see cref="PassageTermIndex"/>), up to date with the store's vector state.</summary>
    Memory,

    /// <summary>SQLite FTS5 (the in-memory index is off, being built or catching up).</summary>
    Fts5,
}
