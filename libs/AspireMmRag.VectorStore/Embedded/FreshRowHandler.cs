namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Receives a row of a fresh-row scan (its vector is only valid during the call).</summary>
internal delegate void FreshRowHandler(long key, long seq, string documentId, string source, ReadOnlySpan<float> vector);
