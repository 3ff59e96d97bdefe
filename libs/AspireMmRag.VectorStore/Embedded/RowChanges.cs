namespace AspireMmRag.VectorStore.Embedded;

/// <summary>A row inserted by a write (its vector normalized), as the in-memory state needs it.</summary>
internal readonly record struct AddedRow(long Key, long Seq, string DocumentId, string Source, float[] Vector);

/// <summary>What one committed write changed in one collection: replaced or deleted keys, and new rows.</summary>
internal sealed record CollectionChanges(long Seq, IReadOnlyList<long> DeletedKeys, IReadOnlyList<AddedRow> Added);

/// <summary>A collection's row in the <c>collections</c> table.</summary>
internal sealed record CollectionInfo(int Dimension, long RowCount, string? SnapshotFile, long SnapshotSeq, long TombstonesPrunedThrough);

/// <summary>A search candidate: exact scores come from float32 vectors; ANN scores are approximate until rescored.</summary>
internal readonly record struct SearchCandidate(long Key, float Score, bool Exact);
