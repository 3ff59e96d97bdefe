namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Settings of the USearch HNSW index (per collection).</summary>
public sealed class EmbeddedHnswOptions
{
    /// <summary>Edges per node (M). More costs memory and build time, gives recall.</summary>
    public int Connectivity { get; set; } = 16;

    /// <summary>Candidate list size while inserting (efConstruction). More costs build time, gives graph quality.</summary>
    public int ExpansionAdd { get; set; } = 128;

    /// <summary>Candidate list size while searching (ef); raised to the number of candidates a search asks for.
    /// Measured on 512-d embedding-like data (docs/benchmarks.md): recall@10 0.99 at 100k rows with 256, about 0.95 at
    /// 1M rows with 256 and 0.98 with 512; 384 keeps 1M searches under 10 ms on 2 cores.</summary>
    public int ExpansionSearch { get; set; } = 384;

    public EmbeddedVectorQuantization Quantization { get; set; } = EmbeddedVectorQuantization.Float16;

    /// <summary>Threads that insert into the index in parallel (the background indexer); 0 means one per core.</summary>
    public int IndexThreads { get; set; }
}
