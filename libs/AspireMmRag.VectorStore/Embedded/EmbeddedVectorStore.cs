using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// An <see cref="IVectorStore"/> for machines without Docker: SQLite (WAL) is the source of truth, and a USearch HNSW
/// index per collection serves approximate searches once a collection reaches
/// <see cref="EmbeddedVectorStoreOptions.ExactScanThreshold"/> rows.
/// <list type="bullet">
/// <item>Every committed row is searchable at once: rows not yet in the HNSW index sit in "fresh" segments (contiguous
/// float arrays) that every search scans exactly and merges with the ANN hits, like Milvus's growing segments. A
/// background task moves fresh rows into the index and periodically saves an index snapshot with the change sequence it
/// covers; restarts and readers load it and replay only later rows.</item>
/// <item>Rows are immutable: a replacement is a delete plus an insert under a new key, deletes leave tombstones, and
/// every write carries a global change sequence that readers (other processes) poll. ANN hits are filtered against
/// the live keys during the graph traversal and re-read from SQLite, so a deleted or replaced row never surfaces.</item>
/// <item>One <see cref="VectorStoreRole.Writer"/> process (a lock file enforces it) and any number of
/// <see cref="VectorStoreRole.Reader"/> processes on the same directory.</item>
/// <item>Passages also have an SQLite FTS5 (BM25) index that triggers keep in the transaction of every row write
/// (<see cref="PassageFullText"/>), for full-text and hybrid search; a process that searches them keeps an in-memory
/// copy that ranks the same way, much faster (<see cref="PassageTermIndex"/>).</item>
/// </list>
/// </summary>
public sealed partial class EmbeddedVectorStore : IVectorStore, IAsyncDisposable, IDisposable
{
    private const string LockFileName = "writer.lock";

    private readonly EmbeddedVectorStoreOptions _options;
    private readonly ILogger _logger;
    private readonly bool _writer;
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly SemaphoreSlim _maintenanceGate = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly EmbeddedCollection?[] _collections = new EmbeddedCollection?[CollectionSchema.All.Count];
    private EmbeddedDatabase? _database;
    private FileStream? _writerLock;
    private Task? _background;
    private volatile bool _indexingPaused;
    private int _disposed;

    public EmbeddedVectorStore(EmbeddedVectorStoreOptions options, ILogger<EmbeddedVectorStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = EmbeddedVectorStoreOptionsValidator.Errors(options).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid embedded vector store options: {string.Join(" ", errors)}", nameof(options));
        }
        _options = options;
        _writer = options.Role == VectorStoreRole.Writer;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public VectorStoreRole Role => _options.Role;

    public string Directory => _options.Directory;

    /// <summary>Whether this store is the writer and holds the directory's lock file (taken by <see cref="OpenAsync"/> or
    /// the first use, released when the store is disposed).</summary>
    public bool HoldsWriterLock => Volatile.Read(ref _disposed) == 0 && Volatile.Read(ref _writerLock) is not null;

    /// <summary>Test hook: while set, the writer's background task moves no rows into the ANN index.</summary>
    internal bool IndexingPaused
    {
        get => _indexingPaused;
        set
        {
            _indexingPaused = value;
            Wake();
        }
    }

    /// <summary>Test hook: how the last search of this store was served.</summary>
    internal SearchRoute LastSearchRoute { get; private set; }

    /// <summary>
    /// Opens the directory now rather than at the first call that needs it: creates the directory and the database and,
    /// for the <see cref="VectorStoreRole.Writer"/>, takes the lock file, so a second writer fails here with a
    /// <see cref="VectorStoreException"/> that names the locked file. Does nothing once the database is open.
    /// </summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _openGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            OpenDatabase();
        }
        finally
        {
            _openGate.Release();
        }
    }

    public async Task EnsureCollectionsAsync(CollectionDimensions dimensions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions.Passages, 1, nameof(dimensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions.Images, 1, nameof(dimensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions.ImageCaptions, 1, nameof(dimensions));
        ThrowIfDisposed();
        await _openGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var database = OpenDatabase();
            cancellationToken.ThrowIfCancellationRequested();
            (CollectionSchema Schema, int Dimension)[] wanted =
                [
                    (CollectionSchema.Passages, dimensions.Passages),
                    (CollectionSchema.Images, dimensions.Images),
                    (CollectionSchema.ImageCaptions, dimensions.ImageCaptions),
                ];
            Sqlite(() => database.EnsureCollections(wanted, upgradeFullText: _writer));
            foreach (var (schema, dimension) in wanted)
            {
                var existing = _collections[(int)schema.Collection];
                if (existing is null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    OpenCollection(database, schema, dimension);
                }
                else if (existing.Dimension != dimension)
                {
                    throw new VectorStoreException(
                        $"The {schema.Table} collection is open with {existing.Dimension} dimensions; {dimension} were requested.");
                }
            }
            StartBackground();
        }
        finally
        {
            _openGate.Release();
        }
    }

    public Task UpsertPassagesAsync(IReadOnlyList<PassageRecord> records, CancellationToken cancellationToken) =>
        UpsertAsync(PassageRowMapper.Instance, records, cancellationToken);

    public Task UpsertImagesAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken) =>
        UpsertAsync(ImageRowMapper.Images, records, cancellationToken);

    public Task UpsertImageCaptionsAsync(IReadOnlyList<ImageRecord> records, CancellationToken cancellationToken) =>
        UpsertAsync(ImageRowMapper.ImageCaptions, records, cancellationToken);

    public async Task<IReadOnlyList<string>> ListIdsAsync(VectorCollection collection, string documentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        var opened = await GetCollectionAsync(Schema(collection), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        using var session = _database!.Read();
        return Sqlite(() => session.ListIds(opened.Schema, documentId));
    }

    public async Task<long> DeleteAsync(VectorCollection collection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ThrowIfReader("deleting rows");
        var opened = await GetCollectionAsync(Schema(collection), cancellationToken).ConfigureAwait(false);
        var distinct = ids.Where(id => id is not null).Distinct(StringComparer.Ordinal).ToList();
        long deleted = 0;
        for (var start = 0; start < distinct.Count; start += _options.WriteBatchSize)
        {
            var chunk = distinct.GetRange(start, Math.Min(_options.WriteBatchSize, distinct.Count - start));
            deleted += await WriteAsync(() =>
            {
                var changes = _database!.Delete(opened.Schema, chunk);
                opened.Apply(changes);
                return changes.DeletedKeys.Count;
            }, cancellationToken).ConfigureAwait(false);
        }
        Wake();
        return deleted;
    }

    public async Task<long> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        ThrowIfReader("deleting a document");
        var opened = new List<EmbeddedCollection>();
        foreach (var schema in CollectionSchema.All)
        {
            if (await TryGetCollectionAsync(schema, cancellationToken).ConfigureAwait(false) is { } collection)
            {
                opened.Add(collection);
            }
        }
        if (opened.Count == 0)
        {
            throw NoCollection(CollectionSchema.Passages);
        }
        var deleted = await WriteAsync(() =>
        {
            var changes = _database!.DeleteDocument(opened.Select(c => c.Schema).ToList(), documentId);
            for (var i = 0; i < opened.Count; i++)
            {
                opened[i].Apply(changes[i]);
            }
            return changes.Sum(c => c.DeletedKeys.Count);
        }, cancellationToken).ConfigureAwait(false);
        Wake();
        return deleted;
    }

    public Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchPassagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        SearchAsync(PassageRowMapper.Instance, vector, options, cancellationToken);

    public Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImagesAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        SearchAsync(ImageRowMapper.Images, vector, options, cancellationToken);

    public Task<IReadOnlyList<VectorSearchHit<ImageRecord>>> SearchImageCaptionsAsync(float[] vector, VectorSearchOptions options, CancellationToken cancellationToken) =>
        SearchAsync(ImageRowMapper.ImageCaptions, vector, options, cancellationToken);

    public async Task<long> CountAsync(VectorCollection collection, string? documentId, CancellationToken cancellationToken)
    {
        var opened = await GetCollectionAsync(Schema(collection), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        using var session = _database!.Read();
        return Sqlite(() => session.Count(opened.Schema, documentId));
    }

    /// <summary>
    /// Reader: applies the writer's committed changes now (new rows, deletes, a newer index snapshot) instead of at the
    /// next poll. Writer: nothing to do (its own writes are visible as soon as they return).
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (_writer || _database is null)
        {
            return;
        }
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            Refresh(cancellationToken);
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>Writer: waits until the background task has moved every row into the ANN index (collections below the
    /// exact-scan threshold have none and count as done).</summary>
    public async Task WaitForIndexingAsync(CancellationToken cancellationToken)
    {
        while (!OpenCollections().All(c => c.IndexCaughtUp()))
        {
            ThrowIfDisposed();
            Wake();
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writer: saves the index snapshots that changed since the last ones, now.</summary>
    public async Task SaveSnapshotsAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!_writer)
        {
            return;
        }
        await _maintenanceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var collection in OpenCollections())
            {
                if (collection.SnapshotDue(DateTime.UtcNow, force: true))
                {
                    await SaveSnapshotAsync(collection, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _maintenanceGate.Release();
        }
    }

    /// <summary>The state of a collection in this process, or null when it is not open here.</summary>
    public EmbeddedCollectionStatistics? GetStatistics(VectorCollection collection) =>
        Volatile.Read(ref _collections[(int)Schema(collection).Collection])?.Statistics();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_background is not null)
        {
            try
            {
                await _background.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        if (_termIndexWork is not null)
        {
            await _termIndexWork.ConfigureAwait(false); // it catches its own failures
        }
        if (_writer && _options.SnapshotOnDispose && _database is not null)
        {
            foreach (var collection in OpenCollections())
            {
                try
                {
                    if (collection.SnapshotDue(DateTime.UtcNow, force: true))
                    {
                        await SaveSnapshotAsync(collection, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    EmbeddedVectorStoreLog.BackgroundFailed(_logger, e);
                }
            }
        }
        // Let writes and refreshes in flight finish before closing what they use.
        await _writeGate.WaitAsync().ConfigureAwait(false);
        await _refreshGate.WaitAsync().ConfigureAwait(false);
        foreach (var collection in OpenCollections())
        {
            collection.Dispose();
        }
        _database?.Dispose();
        if (_tokenizer.IsValueCreated)
        {
            _tokenizer.Value.Dispose();
        }
        _writerLock?.Dispose();
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task UpsertAsync<T>(IRowMapper<T> mapper, IReadOnlyList<T> records, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(records);
        ThrowIfReader("upserting rows");
        var collection = await GetCollectionAsync(mapper.Schema, cancellationToken).ConfigureAwait(false);

        // Validate everything before writing anything. Within one call, the last record of an id wins.
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var unique = new List<T>(records.Count);
        var vectors = new List<float[]>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"Record {i} is null.", nameof(records));
            var id = mapper.Id(record);
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException($"Record {i} has no id.", nameof(records));
            }
            if (mapper.DocumentId(record) is null || mapper.Source(record) is null || mapper.Revision(record) is null)
            {
                throw new ArgumentException($"Record '{id}' lacks its document id, source or revision.", nameof(records));
            }
            var vector = VectorGuard.Normalized(mapper.Vector(record), collection.Dimension, mapper.Schema.Table, $"Record '{id}'", nameof(records));
            if (positions.TryGetValue(id, out var position))
            {
                unique[position] = record;
                vectors[position] = vector;
            }
            else
            {
                positions.Add(id, unique.Count);
                unique.Add(record);
                vectors.Add(vector);
            }
        }

        for (var start = 0; start < unique.Count; start += _options.WriteBatchSize)
        {
            var count = Math.Min(_options.WriteBatchSize, unique.Count - start);
            var chunk = unique.GetRange(start, count);
            var chunkVectors = vectors.GetRange(start, count);
            await WriteAsync(() =>
            {
                collection.Apply(_database!.Upsert(mapper, chunk, chunkVectors));
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        Wake();
    }

    /// <summary>A vector search; <paramref name="refresh"/>: a reader with <see cref="EmbeddedVectorStoreOptions.RefreshOnSearch"/>
    /// refreshes first (false when the caller did).</summary>
    private async Task<IReadOnlyList<VectorSearchHit<T>>> SearchAsync<T>(
        IRowMapper<T> mapper, float[] vector, VectorSearchOptions options, CancellationToken cancellationToken, bool refresh = true)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(options);
        ValidateTopK(options);
        if (float.IsNaN(options.MinScore))
        {
            throw new ArgumentException("MinScore is NaN.", nameof(options));
        }
        var documentIds = SearchFilters.DocumentIds(options, nameof(options));
        var sources = SearchFilters.Sources(options, nameof(options));
        var collection = await GetCollectionAsync(mapper.Schema, cancellationToken).ConfigureAwait(false);
        var query = VectorGuard.Normalized(vector, collection.Dimension, mapper.Schema.Table, "The query", nameof(vector));
        if (refresh && !_writer && _options.RefreshOnSearch)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        var candidates = await CandidatesAsync(collection, query, documentIds, sources, options, cancellationToken).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return [];
        }

        // Read the rows from SQLite, the truth: a key deleted meanwhile (by another process) drops out, and
        // approximate (f16 graph) scores are replaced by exact ones from the float32 vectors.
        var rescore = candidates.Exists(c => !c.Exact);
        var scores = new Dictionary<long, float>(candidates.Count);
        foreach (var candidate in candidates)
        {
            scores.TryAdd(candidate.Key, candidate.Score);
        }
        using var session = _database!.Read();
        var rows = Sqlite(() => session.ReadRecords(mapper, scores.Keys, query, rescore));
        var documentSet = documentIds is null ? null : new HashSet<string>(documentIds, StringComparer.Ordinal);
        var sourceSet = sources is null ? null : new HashSet<string>(sources, StringComparer.Ordinal);
        var hits = new List<VectorSearchHit<T>>(rows.Count);
        foreach (var (key, (record, exactScore)) in rows)
        {
            var score = rescore ? exactScore : scores[key];
            if (score < options.MinScore
                || (documentSet is not null && !documentSet.Contains(mapper.DocumentId(record)))
                || (sourceSet is not null && !sourceSet.Contains(mapper.Source(record))))
            {
                continue;
            }
            hits.Add(new VectorSearchHit<T>(record, score));
        }
        hits.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        if (hits.Count > options.TopK)
        {
            hits.RemoveRange(options.TopK, hits.Count - options.TopK);
        }
        return hits;
    }

    /// <summary>The keys of a dense passage search with exact scores (ANN candidates rescored from the float32
    /// vectors, deleted ones dropped), best first, at most top-k, at least <see cref="VectorSearchOptions.MinScore"/>.</summary>
    private async Task<List<SearchCandidate>> DenseKeysAsync(float[] query, EmbeddedCollection collection, IReadOnlyList<string>? documentIds,
        IReadOnlyList<string>? sources, VectorSearchOptions options, CancellationToken cancellationToken)
    {
        var candidates = await CandidatesAsync(collection, query, documentIds, sources, options, cancellationToken).ConfigureAwait(false);
        if (candidates.Exists(c => !c.Exact))
        {
            var keys = candidates.Select(c => c.Key).Distinct().ToList();
            using var session = _database!.Read();
            var exact = Sqlite(() => session.ReadScores(collection.Schema, keys, query));
            candidates = exact.Select(pair => new SearchCandidate(pair.Key, pair.Value, Exact: true)).ToList();
        }
        candidates.RemoveAll(c => c.Score < options.MinScore);
        candidates.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Key.CompareTo(b.Key));
        if (candidates.Count > options.TopK)
        {
            candidates.RemoveRange(options.TopK, candidates.Count - options.TopK);
        }
        return candidates;
    }

    /// <summary>The candidates of a vector search (<see cref="EmbeddedCollection.Search"/>, or an exact scan through
    /// SQLite's indexes when few rows match the filter); the route taken is <see cref="LastSearchRoute"/>.</summary>
    private async Task<List<SearchCandidate>> CandidatesAsync(EmbeddedCollection collection, float[] query, IReadOnlyList<string>? documentIds,
        IReadOnlyList<string>? sources, VectorSearchOptions options, CancellationToken cancellationToken)
    {
        SearchRoute route;
        List<SearchCandidate> candidates;
        await collection.SearchSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (route, candidates) = collection.Search(query, documentIds, sources, options.MinScore, options.TopK);
        }
        finally
        {
            collection.SearchSlots.Release();
        }
        cancellationToken.ThrowIfCancellationRequested();
        LastSearchRoute = route;
        if (route == SearchRoute.FilteredSql)
        {
            var top = new TopK(options.TopK);
            using var session = _database!.Read();
            Sqlite(() => session.ExactScan(collection.Schema, documentIds, sources, query, top, options.MinScore));
            candidates = new List<SearchCandidate>(top.Count);
            for (var i = 0; i < top.Count; i++)
            {
                candidates.Add(new SearchCandidate(top.KeyAt(i), top.ScoreAt(i), Exact: true));
            }
        }
        return candidates;
    }

    private void ValidateTopK(VectorSearchOptions options)
    {
        if (options.TopK < 1 || options.TopK > _options.MaxTopK)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TopK, $"TopK must be between 1 and {_options.MaxTopK}.");
        }
    }

    private async Task<int> WriteAsync(Func<int> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            return Sqlite(write);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<EmbeddedCollection> GetCollectionAsync(CollectionSchema schema, CancellationToken cancellationToken) =>
        await TryGetCollectionAsync(schema, cancellationToken).ConfigureAwait(false) ?? throw NoCollection(schema);

    /// <summary>The open collection, opening it when the database has it (created by another process or an earlier run).</summary>
    private async Task<EmbeddedCollection?> TryGetCollectionAsync(CollectionSchema schema, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _collections[(int)schema.Collection]) is { } open)
        {
            return open;
        }
        await _openGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (_collections[(int)schema.Collection] is { } opened)
            {
                return opened;
            }
            var database = OpenDatabase();
            CollectionInfo? info;
            using (var session = database.Read())
            {
                info = Sqlite(() => session.ReadInfo(schema));
            }
            if (info is null)
            {
                return null;
            }
            var collection = OpenCollection(database, schema, info.Dimension);
            StartBackground();
            return collection;
        }
        finally
        {
            _openGate.Release();
        }
    }

    /// <summary>Under the open gate.</summary>
    private EmbeddedDatabase OpenDatabase()
    {
        if (_database is not null)
        {
            return _database;
        }
        System.IO.Directory.CreateDirectory(_options.Directory);
        FileStream? writerLock = null;
        if (_writer)
        {
            var path = Path.Combine(_options.Directory, LockFileName);
            try
            {
                // FileShare.None is an exclusive lock (flock on Unix): a second writer process fails here.
                writerLock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e)
            {
                throw new VectorStoreException(
                    $"Another process (or store instance) has {_options.Directory} open as the Writer ({path} is locked); only one writer may.", e);
            }
        }
        var database = new EmbeddedDatabase(_options.Directory, _options.BusyTimeout);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            if (Sqlite(() => database.Initialize(upgradeFullText: _writer)))
            {
                EmbeddedVectorStoreLog.FullTextBuilt(_logger, _options.Directory, stopwatch.ElapsedMilliseconds);
            }
        }
        catch
        {
            database.Dispose();
            writerLock?.Dispose();
            throw;
        }
        Volatile.Write(ref _writerLock, writerLock);
        _database = database;
        EmbeddedVectorStoreLog.Opened(_logger, _options.Directory, _options.Role);
        return database;
    }

    /// <summary>Under the open gate.</summary>
    private EmbeddedCollection OpenCollection(EmbeddedDatabase database, CollectionSchema schema, int dimension)
    {
        var collection = new EmbeddedCollection(schema, dimension, _options, _logger);
        try
        {
            Sqlite(() => collection.Load(database));
        }
        catch
        {
            collection.Dispose();
            throw;
        }
        Volatile.Write(ref _collections[(int)schema.Collection], collection);
        if (_writer)
        {
            SnapshotFiles.DeleteOthers(_options.Directory, schema, [collection.SnapshotFile], _logger);
        }
        return collection;
    }

    private void StartBackground()
    {
        _background ??= Task.Run(RunBackgroundAsync);
    }

    private async Task RunBackgroundAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                if (_writer)
                {
                    await _maintenanceGate.WaitAsync(stop).ConfigureAwait(false);
                    try
                    {
                        busy = await WriterStepAsync(stop).ConfigureAwait(false);
                    }
                    finally
                    {
                        _maintenanceGate.Release();
                    }
                }
                else
                {
                    await RefreshAsync(stop).ConfigureAwait(false);
                    foreach (var schema in CollectionSchema.All)
                    {
                        // Collections the writer created after this reader started.
                        await TryGetCollectionAsync(schema, stop).ConfigureAwait(false);
                    }
                }
                foreach (var collection in OpenCollections())
                {
                    collection.CompactIfNeeded();
                }
                StartTermIndexCatchUp(stop);
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (Exception e)
            {
                EmbeddedVectorStoreLog.BackgroundFailed(_logger, e);
                busy = false;
            }
            if (!busy)
            {
                try
                {
                    var wait = _writer ? TimeSpan.FromMilliseconds(250) : _options.ReaderPollInterval;
                    await _wake.WaitAsync(wait, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<bool> WriterStepAsync(CancellationToken cancellationToken)
    {
        var busy = false;
        foreach (var collection in OpenCollections())
        {
            if (!_indexingPaused)
            {
                busy |= collection.IndexStep() > 0;
            }
            if (collection.SnapshotDue(DateTime.UtcNow, force: false))
            {
                await SaveSnapshotAsync(collection, cancellationToken).ConfigureAwait(false);
            }
        }
        return busy;
    }

    /// <summary>Writer, with no index mutation running (the background task or the maintenance gate).</summary>
    private async Task SaveSnapshotAsync(EmbeddedCollection collection, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var (file, seq, size, version) = collection.SaveSnapshot(_options.Directory);
        long changeSeq;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            changeSeq = Sqlite(() => _database!.RecordSnapshot(collection.Schema, file, seq, pruneThrough: collection.SnapshotSeq));
        }
        catch
        {
            File.Delete(Path.Combine(_options.Directory, file));
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
        foreach (var open in OpenCollections())
        {
            open.Advance(changeSeq);
        }
        collection.SnapshotRecorded(file, seq, version);
        EmbeddedVectorStoreLog.SnapshotSaved(_logger, collection.Schema.Table, size, seq, stopwatch.ElapsedMilliseconds);
        SnapshotFiles.DeleteOthers(_options.Directory, collection.Schema, [collection.SnapshotFile, collection.PreviousSnapshotFile], _logger);
    }

    /// <summary>Reader, under the refresh gate: replays the writer's changes since each collection's sequence.</summary>
    private void Refresh(CancellationToken cancellationToken)
    {
        var database = _database!;
        var collections = OpenCollections();
        if (collections.Count == 0)
        {
            return;
        }
        var work = new List<(EmbeddedCollection Collection, CollectionChanges? Changes, CollectionInfo? Info, bool Reload)>();
        using (var session = database.Read(transaction: true))
        {
            var seq = Sqlite(session.ReadSeq);
            foreach (var collection in collections)
            {
                if (collection.LastSeq >= seq)
                {
                    continue;
                }
                cancellationToken.ThrowIfCancellationRequested();
                var info = Sqlite(() => session.ReadInfo(collection.Schema));
                if (info is null)
                {
                    continue;
                }
                if (collection.LastSeq < info.TombstonesPrunedThrough)
                {
                    EmbeddedVectorStoreLog.ReaderReloading(_logger, collection.Schema.Table, collection.LastSeq, info.TombstonesPrunedThrough);
                    work.Add((collection, null, info, true));
                    continue;
                }
                var deleted = Sqlite(() => session.ReadTombstones(collection.Schema, collection.LastSeq, seq));
                var added = new List<AddedRow>();
                Sqlite(() => session.ScanFresh(collection.Schema, collection.Dimension, collection.LastSeq, seq,
                    (key, rowSeq, document, source, vector) => added.Add(new AddedRow(key, rowSeq, document, source, vector.ToArray()))));
                work.Add((collection, new CollectionChanges(seq, deleted, added), info, false));
            }
        }
        foreach (var (collection, changes, info, reload) in work)
        {
            if (reload)
            {
                Sqlite(() => collection.Load(database));
                continue;
            }
            collection.Apply(changes!);
            if (info!.SnapshotFile is { } file && info.SnapshotSeq > collection.SnapshotSeq)
            {
                HnswIndex view;
                try
                {
                    view = HnswIndex.Open(Path.Combine(database.Directory, file), collection.Dimension, view: true,
                        _options.Hnsw.ExpansionSearch, Environment.ProcessorCount);
                }
                catch (Exception e) when (e is VectorStoreException or IOException)
                {
                    // The writer may have replaced it already: the next poll sees the newer one.
                    continue;
                }
                collection.SwitchSnapshot(view, file, info.SnapshotSeq);
                EmbeddedVectorStoreLog.SnapshotSwitched(_logger, collection.Schema.Table, info.SnapshotSeq);
            }
        }
    }

    private List<EmbeddedCollection> OpenCollections()
    {
        var open = new List<EmbeddedCollection>(_collections.Length);
        for (var i = 0; i < _collections.Length; i++)
        {
            if (Volatile.Read(ref _collections[i]) is { } collection)
            {
                open.Add(collection);
            }
        }
        return open;
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
        }
    }

    private static CollectionSchema Schema(VectorCollection collection) => collection switch
    {
        VectorCollection.Passages => CollectionSchema.Passages,
        VectorCollection.Images => CollectionSchema.Images,
        VectorCollection.ImageCaptions => CollectionSchema.ImageCaptions,
        _ => throw new ArgumentOutOfRangeException(nameof(collection), collection, "Unknown collection."),
    };

    private static VectorStoreException NoCollection(CollectionSchema schema) =>
        new($"The {schema.Table} collection does not exist yet: call EnsureCollectionsAsync first.");

    private void ThrowIfReader(string operation)
    {
        ThrowIfDisposed();
        if (!_writer)
        {
            throw new InvalidOperationException(
                $"This store has {_options.Directory} open as a Reader: {operation} needs the Writer (Role = Writer).");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Runs SQLite work, reporting SQLite failures as <see cref="VectorStoreException"/>.</summary>
    private static TResult Sqlite<TResult>(Func<TResult> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException e)
        {
            throw new VectorStoreException($"SQLite failed: {e.Message}", e);
        }
    }

    private static void Sqlite(Action work) => Sqlite(() =>
    {
        work();
        return 0;
    });
}
