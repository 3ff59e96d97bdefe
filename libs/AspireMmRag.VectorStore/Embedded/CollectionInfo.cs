namespace AspireMmRag.VectorStore.Embedded;

/// <summary>A collection's row in the <c>collections</c> table.</summary>
internal sealed record CollectionInfo(int Dimension, long RowCount, string? SnapshotFile, long SnapshotSeq, long TombstonesPrunedThrough);
