using System.Diagnostics;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// The in-memory full-text index (<see cref="PassageTermIndex"/>) of this process: built on the thread pool, started
/// by the background task, after the first full-text search asks for it (FTS5 answers until then), then kept up to date
/// with the passages the store's vector state has, by replaying the rows and tombstones of each later change sequence
/// from SQLite. A build reads every passage in one read transaction (the writer's WAL checkpoints wait for it) and,
/// when it replaces an index, both are in memory until it ends.
/// </summary>
public sealed partial class EmbeddedVectorStore
{
    private readonly Lazy<FullTextTokenizer> _tokenizer = new(() => new FullTextTokenizer());
    private volatile PassageTermIndex? _termIndex;
    private volatile bool _termIndexWanted;
    private bool _termIndexOffLogged;
    private Task? _termIndexWork;

    /// <summary>How the last full-text search (alone or in a hybrid one) was served (<see cref="TextSearchRoute.None"/>
    /// when its query had no word).</summary>
    internal TextSearchRoute LastTextRoute { get; private set; }

    private FullTextTokenizer Tokenizer => _tokenizer.Value;

    /// <summary>Waits until the in-memory full-text index exists and is up to date with the passages' vector state (it is
    /// asked for first if no search has); with more passages than <see cref="EmbeddedVectorStoreOptions.TermIndexMaxRows"/>
    /// that never happens, so callers pass a token that ends.</summary>
    internal async Task WaitForTermIndexAsync(CancellationToken cancellationToken)
    {
        if (_options.TermIndexMaxRows == 0)
        {
            throw new InvalidOperationException("TermIndexMaxRows is 0: there is no in-memory full-text index.");
        }
        var collection = await GetCollectionAsync(CollectionSchema.Passages, cancellationToken).ConfigureAwait(false);
        RequestTermIndex();
        while (CurrentTermIndex(collection) is null)
        {
            ThrowIfDisposed();
            Wake();
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The in-memory index when it reflects every change sequence the collection's vector state has.</summary>
    private PassageTermIndex? CurrentTermIndex(EmbeddedCollection collection) =>
        _termIndex is { } index && index.Seq >= collection.LastSeq ? index : null;

    private void RequestTermIndex()
    {
        if (_options.TermIndexMaxRows > 0)
        {
            _termIndexWanted = true;
            Wake();
        }
    }

    /// <summary>Background task: starts a catch-up of the in-memory index on the thread pool when it is wanted and behind
    /// and none runs, so that a long build never holds up the task's refreshes, indexing and snapshots.</summary>
    private void StartTermIndexCatchUp(CancellationToken stop)
    {
        if (!_termIndexWanted || _termIndexWork is { IsCompleted: false }
            || Volatile.Read(ref _collections[(int)VectorCollection.Passages]) is not { } collection
            || (_termIndex is { } index && index.Seq >= collection.LastSeq))
        {
            return;
        }
        _termIndexWork = Task.Run(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested && CatchUpTermIndex(stop))
                {
                }
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                EmbeddedVectorStoreLog.BackgroundFailed(_logger, e);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Brings the in-memory index to the collection's change sequence: built from every passage when
    /// there is none (or when it fell behind tombstones the writer has pruned), otherwise by replaying what changed since
    /// its sequence. Dropped (FTS5 answers) while the passages are more than
    /// <see cref="EmbeddedVectorStoreOptions.TermIndexMaxRows"/>. Returns whether it did anything.
    /// </summary>
    private bool CatchUpTermIndex(CancellationToken cancellationToken)
    {
        if (!_termIndexWanted || _database is null
            || Volatile.Read(ref _collections[(int)VectorCollection.Passages]) is not { } collection)
        {
            return false;
        }
        var target = collection.LastSeq;
        var index = _termIndex;
        if (index is not null && index.Seq >= target)
        {
            return false;
        }
        using var session = _database.Read(transaction: true);
        if (!Sqlite(session.HasFullText) || Sqlite(() => session.ReadInfo(CollectionSchema.Passages)) is not { } info)
        {
            return false;
        }
        if (info.RowCount > _options.TermIndexMaxRows || (index is not null && index.Rows > _options.TermIndexMaxRows))
        {
            _termIndex = null;
            if (!_termIndexOffLogged)
            {
                _termIndexOffLogged = true;
                EmbeddedVectorStoreLog.TermIndexOff(_logger, info.RowCount, _options.TermIndexMaxRows);
            }
            return false;
        }
        if (index is null || index.Seq < info.TombstonesPrunedThrough)
        {
            var stopwatch = Stopwatch.StartNew();
            var built = new PassageTermIndex(Tokenizer, target);
            var batch = new List<PassageText>(BuildBatch);
            Sqlite(() => session.ScanPassageText(-1, target, row =>
            {
                batch.Add(row);
                if (batch.Count == BuildBatch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    built.Apply([], batch, target);
                    batch.Clear();
                }
            }));
            built.Apply([], batch, target);
            _termIndex = built;
            EmbeddedVectorStoreLog.TermIndexBuilt(_logger, built.Rows, built.PostingCount, stopwatch.ElapsedMilliseconds);
            return true;
        }
        var deleted = Sqlite(() => session.ReadTombstones(CollectionSchema.Passages, index.Seq, target));
        var added = new List<PassageText>();
        Sqlite(() => session.ScanPassageText(index.Seq, target, added.Add));
        index.Apply(deleted, added, target);
        return true;
    }

    private const int BuildBatch = 4_096;
}
