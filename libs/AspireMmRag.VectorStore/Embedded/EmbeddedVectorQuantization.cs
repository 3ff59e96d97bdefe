namespace AspireMmRag.VectorStore.Embedded;

/// <summary>How the HNSW index stores vectors. SQLite always keeps the float32 originals.</summary>
public enum EmbeddedVectorQuantization
{
    /// <summary>Half precision: half the memory and faster than float32 at the same measured recall (the default).</summary>
    Float16,

    Float32,
}
