using System.Collections.Concurrent;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>
/// The vector dimension of each verified collection, shared by every <see cref="MilvusVectorStore"/> instance of a process
/// (typed HttpClients are transient, the dimension is not). Filled by <see cref="MilvusVectorStore.EnsureCollectionsAsync"/>,
/// or on first use by describing the collection.
/// </summary>
public sealed class MilvusSchemaCache
{
    private readonly ConcurrentDictionary<(string Database, string Collection), int> _dimensions = new();

    internal bool TryGetDimension(string database, string collection, out int dimension) =>
        _dimensions.TryGetValue((database, collection), out dimension);

    internal void SetDimension(string database, string collection, int dimension) =>
        _dimensions[(database, collection)] = dimension;
}
