using System.Diagnostics;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Full-text (BM25) and hybrid passage search over the SQLite FTS5 index (<see cref="PassageFullText"/>).</summary>
public sealed partial class EmbeddedVectorStore
{
    /// <summary>Set once the database is seen to have the full-text index (it is never dropped).</summary>
    private volatile bool _hasFullText;

    /// <summary>
    /// BM25 over title, section and text (<see cref="PassageFullText"/>), best first, score negated so that higher is
    /// better; the query is made safe by <see cref="FullTextQuery"/> (any of its words; no token, no result), and words
    /// too common to weigh anything but the cost of scoring their rows are left out by
    /// <see cref="FullTextQuery.SelectTerms(IReadOnlyList{string}, IReadOnlyList{long}, long)"/>, from document frequencies
    /// cached per change sequence (<see cref="TermFrequencies"/>). Filters by
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
        var tokens = FullTextQuery.Tokens(query);
        if (tokens.Count == 0)
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
        return Sqlite(() =>
        {
            var terms = FullTextQuery.SelectTerms(tokens, TermFrequencies(session, tokens, collection.LastSeq, out var rows), rows);
            return FullTextQuery.ToFts5Match(terms) is { } match
                ? session.SearchText(match, documentIds, sources, upToSeq, options.TopK)
                : [];
        });
    }

    /// <summary>Passage count and document frequencies for <see cref="FullTextQuery.SelectTerms"/>, valid for one change
    /// sequence of the passages (<see cref="EmbeddedCollection.LastSeq"/>, which every write and every replay advances).</summary>
    private volatile TermStatistics? _termStatistics;

    /// <summary>
    /// The document frequency of each token (cached by the word as written) and the passage count, from the cache when it
    /// is of change sequence <paramref name="generation"/>, otherwise read in <paramref name="session"/> and cached.
    /// Counting a common word walks its whole doclist, so the answers are kept until the next write or replay; with the
    /// same question words coming back (and question words are mostly the same few), a query then costs the counts of its
    /// new words only. A reader's figures may include rows its vector state has not replayed yet (they are read from its
    /// session's snapshot), and concurrent searches may fill the cache twice; either only moves a frequency by the rows of
    /// writes that bump the sequence anyway.
    /// </summary>
    private long[] TermFrequencies(ReadSession session, IReadOnlyList<string> tokens, long generation, out long rows)
    {
        var statistics = _termStatistics;
        if (statistics is null || statistics.Generation != generation)
        {
            statistics = new TermStatistics(generation, session.PassageRows());
            _termStatistics = statistics;
        }
        rows = statistics.Rows;
        var frequencies = new long[tokens.Count];
        List<int>? missing = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!statistics.Frequencies.TryGetValue(tokens[i], out frequencies[i]))
            {
                (missing ??= []).Add(i);
            }
        }
        if (missing is not null)
        {
            var keys = missing.Select(i => tokens[i]).ToList();
            var found = session.DocumentFrequencies(keys);
            for (var j = 0; j < missing.Count; j++)
            {
                frequencies[missing[j]] = found[j];
                if (statistics.Frequencies.Count < TermStatistics.MaxTerms)
                {
                    statistics.Frequencies.TryAdd(keys[j], found[j]);
                }
            }
        }
        return frequencies;
    }

    /// <summary>The cached figures of one change sequence.</summary>
    private sealed class TermStatistics(long generation, long rows)
    {
        /// <summary>Distinct words cached per change sequence at most (beyond it, new words are looked up every time).</summary>
        public const int MaxTerms = 20_000;

        public long Generation { get; } = generation;

        public long Rows { get; } = rows;

        public System.Collections.Concurrent.ConcurrentDictionary<string, long> Frequencies { get; } = new(StringComparer.Ordinal);
    }

    private static async Task<(IReadOnlyList<VectorSearchHit<PassageRecord>> Hits, TimeSpan Time)> TimedAsync(
        Func<Task<IReadOnlyList<VectorSearchHit<PassageRecord>>>> search)
    {
        var stopwatch = Stopwatch.StartNew();
        var hits = await search().ConfigureAwait(false);
        return (hits, stopwatch.Elapsed);
    }
}
