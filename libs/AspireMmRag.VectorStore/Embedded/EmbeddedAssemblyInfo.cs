using System.Runtime.CompilerServices;

// The tests pause the background indexer; the benchmark also measures the HNSW wrapper and exact scans on their own; the
// retrieval benchmark waits for the in-memory full-text index and reports which route served its searches.
[assembly: InternalsVisibleTo("VectorStore.Tests")]
[assembly: InternalsVisibleTo("VectorStore.Benchmarks")]
[assembly: InternalsVisibleTo("Retrieval.Benchmarks")]
