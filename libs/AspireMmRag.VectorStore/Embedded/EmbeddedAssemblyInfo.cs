using System.Runtime.CompilerServices;

// The tests pause the background indexer; the benchmark also measures the HNSW wrapper and exact scans on their own.
[assembly: InternalsVisibleTo("VectorStore.Tests")]
[assembly: InternalsVisibleTo("VectorStore.Benchmarks")]
