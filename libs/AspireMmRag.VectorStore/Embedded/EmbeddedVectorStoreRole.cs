namespace AspireMmRag.VectorStore.Embedded;

/// <summary>What a process does with the embedded store's directory.</summary>
public enum EmbeddedVectorStoreRole
{
    /// <summary>The one process that writes rows, builds the ANN index and saves its snapshots (the indexer).
    /// A lock file in the directory keeps a second writer out.</summary>
    Writer,

    /// <summary>Any number of processes that search (the gateways): they follow the writer's changes by polling
    /// SQLite and memory-map its index snapshots. Upserts and deletes throw.</summary>
    Reader,
}
