namespace AspireMmRag.VectorStore.Embedded;

/// <summary>A search candidate: exact scores come from float32 vectors; ANN scores are approximate until rescored.</summary>
internal readonly record struct SearchCandidate(long Key, float Score, bool Exact);
