using System.Diagnostics;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Full-text (BM25) and hybrid passage search over the SQLite FTS5 index (<see cref="PassageFullText"/>).</summary>
public sealed partial class EmbeddedVectorStore
{
    /// <summary>Set once the database is seen to have the full-text index (it is never dropped).</summary>
    private volatile bool _hasFullText;

    /// <summary>
    /// BM25 over title, section and text (<see cref="PassageFullText"/>), best first, score negated so that higher is
    /// better; the query is made safe by <see cref="FullTextQuery"/> (any of its words; no token, no result). Filters by
    /// document and source apply in SQL; <see cref="VectorSearchOptions.MinScore"/> is a cosine bound and does not apply.
    /// A reader returns only rows its vector state has replayed (change sequence at most its own), so a passage is
    /// findable by keyword exactly when it is findable by vector there too; on a database from before full-text search
    /// that its writer has not opened yet, a reader finds nothing.
    /// </summary>
    public Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesByTextAsync(string query, VectorSearchOptions options,
        CancellationToken cancellationToken) =>
        SearchTextAsync(query, options, refresh: true, cancellationToken);

    /// <summary>
    /// The dense and the full-text list, <see cref="HybridSearchOptions.EffectiveCandidates"/> each (at most
    /// <see cref="EmbeddedVectorStoreOptions.MaxTopK"/>), searched at the same time on separate SQLite connections, then fused by
    /// <see cref="ReciprocalRankFusion"/>. <see cref="VectorSearchOptions.MinScore"/> applies to the dense list only.
    /// Each list's time is measured on its own.
    /// </summary>
    public async Task<HybridSearchResult> SearchPassagesHybridAsync(float[] vector, string query, VectorSearchOptions options,
        HybridSearchOptions hybrid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hybrid);
        ValidateTopK(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(hybrid.RrfK, 1, nameof(hybrid));
        if (!_writer && _options.RefreshOnSearch)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        var leg = options with { TopK = Math.Clamp(hybrid.EffectiveCandidates(options.TopK), 1, _options.MaxTopK) };
        var text = Task.Run(() => TimedAsync(() => SearchTextAsync(query, leg, refresh: false, cancellationToken)), cancellationToken);
        var dense = TimedAsync(() => SearchAsync(PassageRowMapper.Instance, vector, leg, cancellationToken, refresh: false));
        await Task.WhenAll(dense, text).ConfigureAwait(false);
        var (denseHits, denseTime) = await dense.ConfigureAwait(false);
        var (textHits, textTime) = await text.ConfigureAwait(false);
        return new HybridSearchResult(ReciprocalRankFusion.Fuse(denseHits, textHits, hybrid, options.TopK), denseTime, textTime);
    }

    private async Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchTextAsync(string query, VectorSearchOptions options, bool refresh,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        ValidateTopK(options);
        var documentIds = SearchFilters.DocumentIds(options, nameof(options));
        var sources = SearchFilters.Sources(options, nameof(options));
        var collection = await GetCollectionAsync(CollectionSchema.Passages, cancellationToken).ConfigureAwait(false);
        if (FullTextQuery.ToFts5Match(query) is not { } match)
        {
            return [];
        }
        if (refresh && !_writer && _options.RefreshOnSearch)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        // A reader bounds the search by the sequence it replayed, in one read transaction with the bound's query.
        using var session = _database!.Read(transaction: !_writer);
        if (!_hasFullText)
        {
            if (!Sqlite(session.HasFullText))
            {
                return [];
            }
            _hasFullText = true;
        }
        long? upToSeq = _writer ? null : collection.LastSeq;
        return Sqlite(() => session.SearchText(match, documentIds, sources, upToSeq, options.TopK));
    }

    private static async Task<(IReadOnlyList<VectorSearchHit<PassageRecord>> Hits, TimeSpan Time)> TimedAsync(
        Func<Task<IReadOnlyList<VectorSearchHit<PassageRecord>>>> search)
    {
        var stopwatch = Stopwatch.StartNew();
        var hits = await search().ConfigureAwait(false);
        return (hits, stopwatch.Elapsed);
    }
}
