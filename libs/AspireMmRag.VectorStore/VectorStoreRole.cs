namespace AspireMmRag.VectorStore;

/// <summary>What a process does with the store. Milvus serves both the same way; the embedded store allows one writer
/// process and any number of readers.</summary>
public enum VectorStoreRole
{
    /// <summary>The process that writes rows (the indexer). For the embedded store it also builds the ANN index and saves
    /// its snapshots, and a lock file in the directory keeps a second writer out.</summary>
    Writer,

    /// <summary>Processes that only search (the gateways). The embedded store follows the writer's changes by polling
    /// SQLite and memory-maps its index snapshots; upserts and deletes throw.</summary>
    Reader,
}
