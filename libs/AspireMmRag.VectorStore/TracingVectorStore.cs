using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireMmRag.VectorStore;

/// <summary>
/// Wraps any <see cref="IVectorStore"/> with a span and a duration measurement per call (ActivitySource and Meter
/// "AspireMmRag.VectorStore"), so store calls show in each request's trace whatever the backend.
/// </summary>
public sealed class TracingVectorStore(IVectorStore inner, string system) : IVectorStore
{
    public const string Name = "AspireMmRag.VectorStore";
    private static readonly ActivitySource ActivitySource = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("vectorstore.operation.duration", "s", "Duration of vector store calls.");

    public IVectorStore Inner => inner;

    public Task EnsureCollectionsAsync(CollectionDimensions dimensions, CancellationToken cancellationToken) =>
        TraceAsync("ensure_collections", null, 0, () => inner.EnsureCollectionsAsync(dimensions, cancellationToken));

    public Task UpsertPassagesAsync(IReadOnlyList<PassageRecord> records, CancellationToken cancellationToken) =>
        TraceAsync("upsert", VectorCollection.Passages, records.Count, () => inner.UpsertPassagesAsync(records, cancellationToken));

    public Task UpsertImagesAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken) =>
        TraceAsync("upsert", VectorCollection.Images, records.Count, () => inner.UpsertImagesAsync(records, cancellationToken));

    public Task UpsertImageCaptionsAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken) =>
        TraceAsync("upsert", VectorCollection.ImageCaptions, records.Count, () => inner.UpsertImageCaptionsAsync(records, cancellationToken));

    public Task<IReadOnlyList<string>> ListIdsAsync(VectorCollection collection, string documentId, CancellationToken cancellationToken) =>
        TraceAsync("list_ids", collection, 0, () => inner.ListIdsAsync(collection, documentId, cancellationToken));

    public Task<long> DeleteAsync(VectorCollection collection, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        TraceAsync("delete", collection, ids.Count, () => inner.DeleteAsync(collection, ids, cancellationToken));

    public Task<long> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken) =>
        TraceAsync("delete_document", null, 0, () => inner.DeleteDocumentAsync(documentId, cancellationToken));

    public Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        TraceAsync("search", VectorCollection.Passages, options.TopK, () => inner.SearchPassagesAsync(vector, options, cancellationToken));

    public Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesByTextAsync(string query, VectorSearchOptions options, CancellationToken cancellationToken) =>
        TraceAsync("text search", VectorCollection.Passages, options.TopK, () => inner.SearchPassagesByTextAsync(query, options, cancellationToken));

    public Task<HybridSearchResult> SearchPassagesHybridAsync(float[] vector, string query, VectorSearchOptions options, HybridSearchOptions hybrid,
        CancellationToken cancellationToken) =>
        TraceAsync("hybrid search", VectorCollection.Passages, options.TopK, () => inner.SearchPassagesHybridAsync(vector, query, options, hybrid, cancellationToken));

    public Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        TraceAsync("search", VectorCollection.Images, options.TopK, () => inner.SearchImagesAsync(vector, options, cancellationToken));

    public Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImageCaptionsAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        TraceAsync("search", VectorCollection.ImageCaptions, options.TopK, () => inner.SearchImageCaptionsAsync(vector, options, cancellationToken));

    public Task<long> CountAsync(VectorCollection collection, string? documentId, CancellationToken cancellationToken) =>
        TraceAsync("count", collection, 0, () => inner.CountAsync(collection, documentId, cancellationToken));

    private static string CollectionName(VectorCollection collection) => collection switch
    {
        VectorCollection.ImageCaptions => "image_captions",
        _ => collection.ToString().ToLowerInvariant(),
    };

    private Task TraceAsync(string operation, VectorCollection? collection, int items, Func<Task> call) =>
        TraceAsync(operation, collection, items, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    private async Task<T> TraceAsync<T>(string operation, VectorCollection? collection, int items, Func<Task<T>> call)
    {
        var collectionName = collection is { } value ? CollectionName(value) : null;
        using var activity = ActivitySource.StartActivity($"vectorstore {operation} {collectionName}".TrimEnd(), ActivityKind.Client);
        activity?.SetTag("db.system.name", system);
        activity?.SetTag("db.operation.name", operation);
        if (collectionName is not null)
        {
            activity?.SetTag("db.collection.name", collectionName);
        }
        if (items > 0)
        {
            activity?.SetTag("vectorstore.items", items);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
        finally
        {
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("db.system.name", system), new KeyValuePair<string, object?>("db.operation.name", operation));
        }
    }
}
