namespace AspireMmRag.VectorStore;

/// <summary>
/// Passages and images with their vectors. Upserts replace rows with the same id; ids are chosen by the caller
/// (the indexer derives them from document id, revision and content) so writes are idempotent.
/// Implementations validate vector lengths against the collection's dimension and throw <see cref="ArgumentException"/>.
/// </summary>
public interface IVectorStore
{
    /// <summary>Creates the collections when missing (and loads them). An existing collection with another
    /// dimension is an error (<see cref="VectorStoreException"/>), never silently reused.</summary>
    Task EnsureCollectionsAsync(CollectionDimensions dimensions, CancellationToken cancellationToken);

    Task UpsertPassagesAsync(IReadOnlyList<PassageRecord> records, CancellationToken cancellationToken);

    /// <summary>Images with their CLIP vectors.</summary>
    Task UpsertImagesAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken);

    /// <summary>Images with the passage-model vectors of their captions (<see cref="VectorCollection.ImageCaptions"/>).</summary>
    Task UpsertImageCaptionsAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken);

    /// <summary>The ids stored for a document in a collection.</summary>
    Task<IReadOnlyList<string>> ListIdsAsync(VectorCollection collection, string documentId, CancellationToken cancellationToken);

    /// <summary>Deletes rows by id; unknown ids are ignored. Returns how many were deleted where the backend tells.</summary>
    Task<long> DeleteAsync(VectorCollection collection, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>Deletes every passage, image and image caption of a document.</summary>
    Task<long> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken);

    /// <summary>Passages by full-text (BM25) match of <paramref name="query"/> against their title › section and text, best
    /// first; <see cref="VectorSearchHit{T}.Score"/> is the BM25 score (higher is better). The query is plain words: query
    /// syntax in it (quotes, <c>*</c>, <c>AND</c>, <c>NEAR</c>, parentheses, <c>-</c>) is matched as text, never interpreted;
    /// a query without letters or digits finds nothing. Filters apply as for <see cref="SearchPassagesAsync"/>.</summary>
    Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesByTextAsync(string query, VectorSearchOptions options, CancellationToken cancellationToken);

    /// <summary>The dense and the full-text passage lists for the same query, fused by reciprocal rank
    /// (<see cref="HybridSearchOptions"/>); the top <see cref="VectorSearchOptions.TopK"/>. Filters apply to both lists.</summary>
    Task<HybridSearchResult> SearchPassagesHybridAsync(float[] vector, string query, VectorSearchOptions options, HybridSearchOptions hybrid,
        CancellationToken cancellationToken);

    /// <summary>Nearest images by CLIP vector (a CLIP text or image embedding).</summary>
    Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken);

    /// <summary>Nearest images by caption vector (a passage-model query embedding).</summary>
    Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImageCaptionsAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken);

    /// <summary>Rows in a collection, optionally of one document.</summary>
    Task<long> CountAsync(VectorCollection collection, string? documentId, CancellationToken cancellationToken);
}

/// <summary>The store refused or failed an operation (a backend error code, a dimension mismatch...).</summary>
public class VectorStoreException(string message, Exception? inner = null) : Exception(message, inner);
