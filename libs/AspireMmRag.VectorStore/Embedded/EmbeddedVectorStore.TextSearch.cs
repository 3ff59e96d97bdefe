using System.Diagnostics;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Full-text (BM25) and hybrid passage search: the SQLite FTS5 index (<see cref="PassageFullText"/>) and its
/// in-memory copy (<see cref="PassageTermIndex"/>), which ranks the same way.</summary>
public sealed partial class EmbeddedVectorStore
{
    /// <summary>Set once the database is seen to have the full-text index (it is never dropped).</summary>
    private volatile bool _hasFullText;

    /// <summary>
    /// BM25 over title, section and text (<see cref="PassageFullText"/>), best first, score negated so that higher is
    /// better. The query means "any of its words", split and folded as the index does (<see cref="FullTextTokenizer"/>),
    /// so no FTS5 syntax reaches SQLite; no word, no result. Words too common to weigh anything but the cost of scoring
    /// their rows are left out (<see cref="FullTextQuery.SelectTerms(IReadOnlyList{string}, IReadOnlyList{long}, long)"/>).
    /// Served from the in-memory index when it is up to date with the passages this store's vector state has (see
    /// <see cref="EmbeddedVectorStoreOptions.TermIndexMaxRows"/>), otherwise by FTS5; both give the same list when the
    /// database holds nothing newer than that state (a reader between two polls may see FTS5 weigh the writer's latest
    /// rows in its statistics; a row deleted since is skipped on both routes). Filters
    /// by document and source apply; <see cref="VectorSearchOptions.MinScore"/> is a cosine bound and does not apply.
    /// A reader returns only rows its vector state has replayed, so a passage is findable by keyword exactly when it is
    /// findable by vector there too; on a database from before full-text search that its writer has not opened yet, a
    /// reader finds nothing.
    /// </summary>
    public async Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesByTextAsync(string query, VectorSearchOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        ValidateTopK(options);
        var documentIds = SearchFilters.DocumentIds(options, nameof(options));
        var sources = SearchFilters.Sources(options, nameof(options));
        var collection = await GetCollectionAsync(CollectionSchema.Passages, cancellationToken).ConfigureAwait(false);
        if (!_writer && _options.RefreshOnSearch)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        // A few keys more than asked, for rows another process deleted since this store's state (the read skips them).
        var keys = TextCandidates(query, collection, documentIds, sources, Math.Min(options.TopK + SpareKeys, _options.MaxTopK), cancellationToken);
        var records = ReadPassages(keys.Select(k => k.Key).ToList(), options.TopK, documentIds, sources);
        return keys.Where(k => records.ContainsKey(k.Key)).Take(options.TopK)
            .Select(k => new VectorSearchHit<PassageRecord>(records[k.Key], k.Score)).ToArray();
    }

    /// <summary>Keys a full-text search takes beyond its top-k, to stand in for rows deleted since the search's state.</summary>
    private const int SpareKeys = 8;

    /// <summary>
    /// The dense and the full-text list, <see cref="HybridSearchOptions.EffectiveCandidates"/> keys each (at most
    /// <see cref="EmbeddedVectorStoreOptions.MaxTopK"/>), fused by <see cref="ReciprocalRankFusion"/>; only the top-k
    /// rows are then read. The full-text list is searched on the thread pool while the dense one is searched on the
    /// caller's thread. <see cref="VectorSearchOptions.MinScore"/> applies to the dense list only. Each list's time is
    /// measured on its own.
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
        if (float.IsNaN(options.MinScore))
        {
            throw new ArgumentException("MinScore is NaN.", nameof(options));
        }
        var documentIds = SearchFilters.DocumentIds(options, nameof(options));
        var sources = SearchFilters.Sources(options, nameof(options));
        var collection = await GetCollectionAsync(CollectionSchema.Passages, cancellationToken).ConfigureAwait(false);
        var normalized = VectorGuard.Normalized(vector, collection.Dimension, CollectionSchema.Passages.Table, "The query", nameof(vector));
        if (!_writer && _options.RefreshOnSearch)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        var leg = options with { TopK = Math.Clamp(hybrid.EffectiveCandidates(options.TopK), 1, _options.MaxTopK) };
        var text = Task.Run(() => Timed(() => TextCandidates(query, collection, documentIds, sources, leg.TopK, cancellationToken)), cancellationToken);
        var dense = TimedDenseAsync(normalized, collection, documentIds, sources, leg, cancellationToken);
        await Task.WhenAll(dense, text).ConfigureAwait(false); // both observed, whichever fails
        var (denseKeys, denseTime) = await dense.ConfigureAwait(false);
        var (textKeys, textTime) = await text.ConfigureAwait(false);
        var fused = ReciprocalRankFusion.Fuse(denseKeys, textKeys, static c => c.Key, static c => c.Score, hybrid);
        var records = ReadPassages(fused.Select(f => f.Item.Key).ToList(), options.TopK, documentIds, sources);
        var hits = fused
            .Where(f => records.ContainsKey(f.Item.Key))
            .Take(options.TopK)
            .Select(f => new HybridPassageHit(records[f.Item.Key], (float)f.Score, f.DenseScore, f.DenseRank, f.TextScore, f.TextRank))
            .ToArray();
        return new HybridSearchResult(hits, denseTime, textTime);
    }

    /// <summary>The full-text keys for <paramref name="query"/>: from the in-memory index when it is current, else
    /// from FTS5 (and the in-memory index is asked for).</summary>
    private List<SearchCandidate> TextCandidates(string query, EmbeddedCollection collection, IReadOnlyList<string>? documentIds,
        IReadOnlyList<string>? sources, int limit, CancellationToken cancellationToken)
    {
        LastTextRoute = TextSearchRoute.None;
        var terms = Tokenizer.DistinctTerms(query, FullTextQuery.MaxTokens);
        if (terms.Count == 0)
        {
            return [];
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (CurrentTermIndex(collection) is { } index)
        {
            LastTextRoute = TextSearchRoute.Memory;
            return index.Search(terms, documentIds, sources, limit);
        }
        RequestTermIndex();
        LastTextRoute = TextSearchRoute.Fts5;
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
            var kept = FullTextQuery.SelectTerms(terms, TermFrequencies(session, terms, collection.LastSeq, out var rows), rows);
            return FullTextQuery.ToFts5Match(kept) is { } match
                ? session.SearchText(match, documentIds, sources, upToSeq, limit)
                : [];
        });
    }

    /// <summary>The rows of the first <paramref name="count"/> of <paramref name="keys"/> that still exist and pass the
    /// filters (another process may have deleted some since the search: the next keys then take their place).</summary>
    private Dictionary<long, PassageRecord> ReadPassages(List<long> keys, int count, IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources)
    {
        var found = new Dictionary<long, PassageRecord>(Math.Min(count, keys.Count));
        if (keys.Count == 0)
        {
            return found;
        }
        var documentSet = documentIds is null ? null : new HashSet<string>(documentIds, StringComparer.Ordinal);
        var sourceSet = sources is null ? null : new HashSet<string>(sources, StringComparer.Ordinal);
        using var session = _database!.Read();
        var next = 0;
        while (found.Count < count && next < keys.Count)
        {
            var batch = keys.GetRange(next, Math.Min(count - found.Count, keys.Count - next));
            next += batch.Count;
            foreach (var (key, (record, _)) in Sqlite(() => session.ReadRecords(PassageRowMapper.Instance, batch, [], rescore: false)))
            {
                if ((documentSet is null || documentSet.Contains(record.DocumentId)) && (sourceSet is null || sourceSet.Contains(record.Source)))
                {
                    found[key] = record;
                }
            }
        }
        return found;
    }

    /// <summary>Passage count and document frequencies for <see cref="FullTextQuery.SelectTerms"/> on the FTS5 path,
    /// valid for one change sequence of the passages (<see cref="EmbeddedCollection.LastSeq"/>, which every write and
    /// every replay advances).</summary>
    private volatile TermStatistics? _termStatistics;

    /// <summary>
    /// The document frequency of each term (cached) and the passage count, from the cache when it is of change sequence
    /// <paramref name="generation"/>, otherwise read in <paramref name="session"/> and cached. Counting a common word walks
    /// its whole doclist, so the answers are kept until the next write or replay. A reader's figures may include rows its
    /// vector state has not replayed yet (they are read from its session's snapshot), and concurrent searches may fill the
    /// cache twice; either only moves a frequency by the rows of writes that bump the sequence anyway.
    /// </summary>
    private long[] TermFrequencies(ReadSession session, IReadOnlyList<string> terms, long generation, out long rows)
    {
        var statistics = _termStatistics;
        if (statistics is null || statistics.Generation != generation)
        {
            statistics = new TermStatistics(generation, session.PassageRows());
            _termStatistics = statistics;
        }
        rows = statistics.Rows;
        var frequencies = new long[terms.Count];
        List<int>? missing = null;
        for (var i = 0; i < terms.Count; i++)
        {
            if (!statistics.Frequencies.TryGetValue(terms[i], out frequencies[i]))
            {
                (missing ??= []).Add(i);
            }
        }
        if (missing is not null)
        {
            var keys = missing.Select(i => terms[i]).ToList();
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

    private async Task<(List<SearchCandidate> Keys, TimeSpan Time)> TimedDenseAsync(float[] query, EmbeddedCollection collection,
        IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources, VectorSearchOptions options, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var keys = await DenseKeysAsync(query, collection, documentIds, sources, options, cancellationToken).ConfigureAwait(false);
        return (keys, Stopwatch.GetElapsedTime(start));
    }

    private static (List<SearchCandidate> Keys, TimeSpan Time) Timed(Func<List<SearchCandidate>> search)
    {
        var start = Stopwatch.GetTimestamp();
        var keys = search();
        return (keys, Stopwatch.GetElapsedTime(start));
    }
}
