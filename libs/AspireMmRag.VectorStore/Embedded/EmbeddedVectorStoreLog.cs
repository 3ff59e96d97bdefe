using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Embedded;

internal static partial class EmbeddedVectorStoreLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded vector store opened {Directory} as {Role}")]
    public static partial void Opened(ILogger logger, string directory, VectorStoreRole role);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Collection {Collection} loaded in {ElapsedMs} ms: {Rows} rows, {Indexed} in the index snapshot (seq {SnapshotSeq}), {Fresh} to scan exactly")]
    public static partial void CollectionLoaded(ILogger logger, string collection, long elapsedMs, long rows, long indexed, long snapshotSeq, long fresh);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index snapshot {Path} of {Collection} could not be opened; rebuilding the index from SQLite")]
    public static partial void SnapshotUnreadable(ILogger logger, Exception exception, string collection, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collection {Collection} reached {Rows} rows: building its ANN index")]
    public static partial void IndexStarted(ILogger logger, string collection, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saved index snapshot of {Collection} ({Size} vectors, seq {Seq}) in {ElapsedMs} ms")]
    public static partial void SnapshotSaved(ILogger logger, string collection, long size, long seq, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reader switched {Collection} to index snapshot seq {Seq}")]
    public static partial void SnapshotSwitched(ILogger logger, string collection, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reader of {Collection} fell behind pruned tombstones (seq {Seq} < {Pruned}); reloading")]
    public static partial void ReaderReloading(ILogger logger, string collection, long seq, long pruned);

    [LoggerMessage(Level = LogLevel.Error, Message = "Embedded vector store background work failed; retrying")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built the passages' full-text index of {Directory} (a database from before it existed) in {ElapsedMs} ms")]
    public static partial void FullTextBuilt(ILogger logger, string directory, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete old index snapshot {Path}; will retry")]
    public static partial void SnapshotDeleteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built the in-memory full-text index of the passages: {Rows} rows, {Postings} postings, in {ElapsedMs} ms")]
    public static partial void TermIndexBuilt(ILogger logger, int rows, long postings, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "The passages ({Rows}) are more than VectorStore:Embedded:TermIndexMaxRows ({Max}): full-text search stays on SQLite FTS5")]
    public static partial void TermIndexOff(ILogger logger, long rows, int max);
}
