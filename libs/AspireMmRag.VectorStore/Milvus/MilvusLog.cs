using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Source-generated log messages of the Milvus store.</summary>
internal static partial class MilvusLog
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Created Milvus collection {Collection} ({Dimension}-d, HNSW M={M} efConstruction={EfConstruction}, COSINE)")]
    public static partial void CollectionCreated(ILogger logger, string collection, int dimension, int m, int efConstruction);

    [LoggerMessage(Level = LogLevel.Information, Message = "Milvus collection {Collection} exists with the expected schema ({Dimension}-d)")]
    public static partial void CollectionVerified(ILogger logger, string collection, int dimension);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Milvus collection {Collection} does not match this store's schema: {Problem}")]
    public static partial void SchemaMismatch(ILogger logger, string collection, string problem);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Milvus collection {Legacy} is from before full-text search and is no longer used: passages are searched in {Collection}, " +
        "which holds only what was indexed since. Re-index (re-crawl) the documents to fill it, then drop {Legacy}")]
    public static partial void LegacyPassagesCollection(ILogger logger, string legacy, string collection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Milvus collection {Collection} loaded in {ElapsedMs} ms")]
    public static partial void CollectionLoaded(ILogger logger, string collection, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Milvus {Action} on {Collection} failed: {Detail}")]
    public static partial void RequestFailed(ILogger logger, string action, string collection, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upserted {Count} rows into Milvus collection {Collection} in {Batches} request(s)")]
    public static partial void Upserted(ILogger logger, int count, string collection, int batches);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} rows from Milvus collection {Collection}")]
    public static partial void Deleted(ILogger logger, long count, string collection);
}
