namespace AspireMmRag.VectorStore.Embedded;

/// <summary>A row inserted by a write (its vector normalized), as the in-memory state needs it.</summary>
internal readonly record struct AddedRow(long Key, long Seq, string DocumentId, string Source, float[] Vector);

/// <summary>What one committed write changed in one collection: replaced or deleted keys, and new rows.</summary>
internal sealed record CollectionChanges(long Seq, IReadOnlyList<long> DeletedKeys, IReadOnlyList<AddedRow> Added);
