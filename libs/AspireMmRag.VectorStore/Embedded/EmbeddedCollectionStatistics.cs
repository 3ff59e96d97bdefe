namespace AspireMmRag.VectorStore.Embedded;

/// <summary>The state of one collection in this process (for health details, tests and benchmarks).</summary>
/// <param name="Rows">Live rows this process knows of.</param>
/// <param name="FreshRows">Live rows not in the ANN index, searched by exact scan.</param>
/// <param name="AnnIndex">Whether the collection has an HNSW index (it reached the exact-scan threshold).</param>
/// <param name="IndexedVectors">Entries in the HNSW index (a reader's snapshot may still hold since-deleted keys, masked at search).</param>
/// <param name="IndexMemoryBytes">USearch's own estimate of its memory (for a memory-mapped view, mostly page cache).</param>
/// <param name="IndexIsView">Whether the index is a read-only memory-mapped snapshot (readers).</param>
/// <param name="LastSeq">The change sequence applied.</param>
/// <param name="SnapshotSeq">The change sequence the current index snapshot covers (0 = none).</param>
/// <param name="FreshBytes">Memory held by the fresh segments' vectors.</param>
public sealed record EmbeddedCollectionStatistics(
    VectorCollection Collection,
    int Dimension,
    long Rows,
    long FreshRows,
    bool AnnIndex,
    long IndexedVectors,
    long IndexMemoryBytes,
    bool IndexIsView,
    long LastSeq,
    long SnapshotSeq,
    long FreshBytes);
