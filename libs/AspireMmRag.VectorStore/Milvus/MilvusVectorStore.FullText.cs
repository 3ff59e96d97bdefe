using System.Diagnostics;
using System.Text.Json;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Full-text (BM25) and hybrid passage search, and the passages collection's schema version.
/// <list type="bullet">
/// <item>The query goes to Milvus as plain text in <c>data:["…"]</c>: the distinct words of <see cref="FullTextQuery.Tokens"/>
/// joined by spaces (a repeated word would count twice in BM25). Milvus has no query syntax there, its analyser only
/// splits and folds the words, so nothing is escaped beyond JSON. A query without letters or digits finds nothing and
/// sends no request; in a hybrid search it leaves the dense list alone.</item>
/// <item><see cref="VectorSearchOptions.MinScore"/> is a cosine bound: it applies to the dense list only.</item>
/// <item>Equal weights and no MinScore: one <c>entities/hybrid_search</c> with Milvus's <c>rrf</c> ranker (it has no
/// weights); the score is its Σ 1/(k + rank) times the weight, per-list scores and times are null. Otherwise the two
/// searches run at once and <see cref="ReciprocalRankFusion.Fuse"/> fuses them, with both times.</item>
/// </list></summary>
public sealed partial class MilvusVectorStore
{
    /// <summary>Milvus's rrf ranker takes k in (0, 16384).</summary>
    private const int MaxRrfK = 16383;

    public async Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesByTextAsync(string query, VectorSearchOptions options,
        CancellationToken cancellationToken)
    {
        var filter = SearchFilter(options);
        var text = TextOf(query);
        if (text.Length == 0)
        {
            return [];
        }
        var name = CollectionName(VectorCollection.Passages);
        await GetDimensionAsync(MilvusSchema.Passages, cancellationToken).ConfigureAwait(false);
        return await TextSearchAsync(name, text, options.TopK, filter, cancellationToken).ConfigureAwait(false);
    }

    public async Task<HybridSearchResult> SearchPassagesHybridAsync(float[] vector, string query, VectorSearchOptions options,
        HybridSearchOptions hybrid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var filter = SearchFilter(options);
        var text = TextOf(query);
        ValidateHybrid(hybrid, options.TopK);
        var name = CollectionName(VectorCollection.Passages);
        var dimension = await GetDimensionAsync(MilvusSchema.Passages, cancellationToken).ConfigureAwait(false);
        MilvusRecordValidator.ValidateVector(vector, dimension, nameof(vector), nameof(vector));
        var candidates = hybrid.EffectiveCandidates(options.TopK);
        var outputFields = MilvusSchema.Passages.OutputFields;

        if (text.Length > 0 && hybrid.DenseWeight == hybrid.TextWeight && hybrid.DenseWeight > 0 && options.MinScore <= -1f)
        {
            var hits = await ServerHybridAsync(name, vector, text, candidates, filter, hybrid, options.TopK, cancellationToken).ConfigureAwait(false);
            return new HybridSearchResult(hits, null, null);
        }

        var dense = TimedAsync(VectorSearchAsync(name, vector, candidates, filter, outputFields, MilvusRowMapper.ReadPassage, cancellationToken));
        var textual = text.Length == 0
            ? Task.FromResult((Result: new List<VectorSearchHit<PassageRecord>>(), Elapsed: TimeSpan.Zero))
            : TimedAsync(TextSearchAsync(name, text, candidates, filter, cancellationToken));
        await Task.WhenAll(dense, textual).ConfigureAwait(false);
        var (denseHits, denseTime) = await dense.ConfigureAwait(false);
        var (textHits, textTime) = await textual.ConfigureAwait(false);
        if (options.MinScore > -1f)
        {
            denseHits = denseHits.Where(h => h.Score >= options.MinScore).ToList();
        }
        return new HybridSearchResult(ReciprocalRankFusion.Fuse(denseHits, textHits, hybrid, options.TopK), denseTime, textTime);
    }

    private async Task<List<VectorSearchHit<PassageRecord>>> TextSearchAsync(string name, string query, int limit, string filter,
        CancellationToken cancellationToken)
    {
        var body = MilvusRequests.TextSearch(_options.Database, name, query, limit, filter, MilvusSchema.Passages.OutputFields, _options.ConsistencyLevel);
        // entities/search on the BM25 output field → {"code":0,"data":[{"id":…,"distance":<BM25 score>,<outputFields>}]}
        var data = await _client.PostAsync("entities/search", name, body, cancellationToken).ConfigureAwait(false);
        return ReadHits(data, name, "entities/search", MilvusRowMapper.ReadPassage);
    }

    private async Task<IReadOnlyList<HybridPassageHit>> ServerHybridAsync(string name, float[] vector, string query, int candidates, string filter,
        HybridSearchOptions hybrid, int topK, CancellationToken cancellationToken)
    {
        var ef = Math.Max(_options.SearchEf, candidates);
        var body = MilvusRequests.HybridSearch(_options.Database, name, vector, query, candidates, filter, ef, hybrid.RrfK, topK,
            MilvusSchema.Passages.OutputFields, _options.ConsistencyLevel);
        // entities/hybrid_search → {"code":0,"data":[{"id":…,"distance":<Σ 1/(k+rank)>,<outputFields>}]}
        var data = await _client.PostAsync("entities/hybrid_search", name, body, cancellationToken).ConfigureAwait(false);
        return ReadHits(data, name, "entities/hybrid_search", MilvusRowMapper.ReadPassage)
            .Select(hit => new HybridPassageHit(hit.Record, hit.Score * hybrid.DenseWeight, null, null, null, null))
            .ToArray();
    }

    private static async Task<(T Result, TimeSpan Elapsed)> TimedAsync<T>(Task<T> task)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await task.ConfigureAwait(false);
        return (result, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The text sent to Milvus: the query's distinct words joined by spaces; empty when it has no letter or digit.</summary>
    private static string TextOf(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        MilvusRecordValidator.ValidateFilterValue(query, nameof(query));
        return string.Join(' ', FullTextQuery.Tokens(query));
    }

    private static void ValidateHybrid(HybridSearchOptions hybrid, int topK)
    {
        ArgumentNullException.ThrowIfNull(hybrid);
        ArgumentOutOfRangeException.ThrowIfLessThan(hybrid.RrfK, 1, nameof(hybrid));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hybrid.RrfK, MaxRrfK, nameof(hybrid));
        ArgumentOutOfRangeException.ThrowIfNegative(hybrid.CandidatesPerLeg, nameof(hybrid));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hybrid.EffectiveCandidates(topK), MilvusOptionsValidator.MaxQueryWindow, nameof(hybrid));
        foreach (var weight in new[] { hybrid.DenseWeight, hybrid.TextWeight })
        {
            if (!float.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(hybrid), weight, "Hybrid weights must be finite and not negative.");
            }
        }
    }

    /// <summary>Logs a warning when the passages collection is the default one and the previous default
    /// (<see cref="MilvusOptions.LegacyPassagesCollection"/>, without full-text fields) still exists: its passages are not
    /// searched, the new collection fills as documents are re-indexed.</summary>
    private async Task ReportLegacyPassagesAsync(CancellationToken cancellationToken)
    {
        if (_options.PassagesCollection == MilvusOptions.DefaultPassagesCollection
            && await HasCollectionAsync(MilvusOptions.LegacyPassagesCollection, cancellationToken).ConfigureAwait(false))
        {
            MilvusLog.LegacyPassagesCollection(_logger, MilvusOptions.LegacyPassagesCollection, _options.PassagesCollection);
        }
    }

    private VectorStoreException LacksFullText(string name, IReadOnlyList<string> missing)
    {
        var fields = string.Join(", ", missing.Select(f => $"'{f}'"));
        MilvusLog.SchemaMismatch(_logger, name, $"it has no field {fields} (no full-text search)");
        return new VectorStoreException(
            $"Milvus collection '{name}' lacks the field{(missing.Count == 1 ? "" : "s")} {fields}: it was created before full-text (BM25) " +
            "search, and Milvus 2.5 cannot add a BM25 function to an existing collection, so it is not reused. Point " +
            $"Milvus:PassagesCollection at a new collection (the default is '{MilvusOptions.DefaultPassagesCollection}') or drop this one " +
            $"(POST /v2/vectordb/collections/drop with {{\"collectionName\":\"{name}\"}}), then re-index (re-crawl) the documents to fill it.");
    }
}
