namespace AspireMmRag.VectorStore;

/// <summary>Whether a service writes to the store (the indexer) or only reads it (the gateway).
/// The embedded store allows one writer process and many readers.</summary>
public enum VectorStoreRole
{
    Writer,
    Reader,
}
