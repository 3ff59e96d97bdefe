using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// The in-memory side of one collection: the live keys (<see cref="RowDirectory"/>), the fresh segments (rows not in the
/// ANN index, scanned exactly) and the HNSW index. Locks: <c>_state</c> guards the rows and segments (searches read,
/// applying writes and moving rows into the index write); <c>_indexLock</c> guards the native index (searches and saves
/// read; add, remove, reserve and swap write, because USearch searches do not lock graph nodes against inserts).
/// Lock order is always state, then index. Only the store's background task mutates the index.
/// </summary>
internal sealed class EmbeddedCollection : IDisposable
{
    private const int FirstSegmentRows = 256;
    private const long MaxSegmentBytes = 16L << 20;
    private static readonly TimeSpan IndexLockBudget = TimeSpan.FromMilliseconds(10);

    private readonly ReaderWriterLockSlim _state = new(LockRecursionPolicy.NoRecursion);
    private readonly ReaderWriterLockSlim _indexLock = new(LockRecursionPolicy.NoRecursion);
    private readonly ConcurrentQueue<long> _pendingRemovals = new();
    private readonly EmbeddedVectorStoreOptions _options;
    private readonly bool _writer;
    private readonly ILogger _logger;
    private readonly int _maxSegmentRows;
    private readonly int _indexThreads;

    private RowDirectory _rows = new();
    private List<FreshSegment> _segments = [];
    private HnswIndex? _index;
    private long _indexCoversSeq;
    private long _indexVersion;
    private long _snapshotVersion;
    private long _indexedSinceSnapshot;
    private int _freshDead;
    private int _batchRows = 32;
    private float[] _batchVectors = [];
    private long[] _batchKeys = [];
    private bool _disposed;

    public EmbeddedCollection(CollectionSchema schema, int dimension, EmbeddedVectorStoreOptions options, ILogger logger)
    {
        Schema = schema;
        Dimension = dimension;
        _options = options;
        _writer = options.Role == VectorStoreRole.Writer;
        _logger = logger;
        _maxSegmentRows = (int)Math.Max(1024, MaxSegmentBytes / (dimension * sizeof(float)));
        _indexThreads = options.Hnsw.IndexThreads > 0 ? options.Hnsw.IndexThreads : Environment.ProcessorCount;
        SearchSlots = new SemaphoreSlim(Environment.ProcessorCount, Environment.ProcessorCount);
    }

    public CollectionSchema Schema { get; }

    public int Dimension { get; }

    /// <summary>Bounds concurrent searches to the thread slots USearch reserved (one per core): more would throw.</summary>
    public SemaphoreSlim SearchSlots { get; }

    /// <summary>The change sequence this state reflects (the last write applied or replayed).</summary>
    public long LastSeq { get; private set; }

    /// <summary>The snapshot this state was loaded from or last saved or switched to.</summary>
    public string? SnapshotFile { get; private set; }

    public long SnapshotSeq { get; private set; }

    public DateTime SnapshotSavedAt { get; private set; } = DateTime.UtcNow;

    /// <summary>The previous snapshot file (kept on disk for readers that have not switched yet).</summary>
    public string? PreviousSnapshotFile { get; private set; }

    /// <summary>
    /// Loads the state from the database: every live key from the covering document index, the index snapshot
    /// (memory-mapped for a reader, loaded for the writer), and the rows after the snapshot into fresh segments.
    /// Replaces whatever state there was.
    /// </summary>
    public void Load(EmbeddedDatabase database)
    {
        var stopwatch = Stopwatch.StartNew();
        HnswIndex? index = null;
        try
        {
            using var session = database.Read(transaction: true);
            var seq = session.ReadSeq();
            var info = session.ReadInfo(Schema) ?? throw new VectorStoreException($"The {Schema.Table} collection does not exist.");
            var rows = new RowDirectory((int)Math.Min(int.MaxValue, info.RowCount));
            session.ScanRows(Schema, (key, document, source) => rows.Add(key, document, source));

            long covers = 0;
            if (info.SnapshotFile is { } file && info.SnapshotSeq > 0)
            {
                var path = Path.Combine(database.Directory, file);
                try
                {
                    index = HnswIndex.Open(path, Dimension, view: !_writer, _options.Hnsw.ExpansionSearch, IndexThreadSlots);
                    covers = info.SnapshotSeq;
                }
                catch (Exception e) when (e is VectorStoreException or IOException)
                {
                    EmbeddedVectorStoreLog.SnapshotUnreadable(_logger, e, Schema.Table, path);
                }
            }

            var segments = new List<FreshSegment>();
            session.ScanFresh(Schema, Dimension, covers, seq, (key, rowSeq, _, _, vector) =>
            {
                ref var entry = ref rows.Find(key, out var exists);
                if (exists)
                {
                    var segment = Tail(segments);
                    entry.Segment = segment;
                    entry.Row = segment.Append(key, rowSeq, entry.Document, entry.Source, vector);
                }
            });
            var removals = _writer && index is not null ? session.ReadTombstones(Schema, covers, seq) : [];

            HnswIndex? old;
            _state.EnterWriteLock();
            try
            {
                _indexLock.EnterWriteLock();
                try
                {
                    old = _index;
                    _index = index;
                    index = null;
                }
                finally
                {
                    _indexLock.ExitWriteLock();
                }
                _rows = rows;
                _segments = segments;
                _freshDead = 0;
                _indexCoversSeq = covers;
                _indexVersion = _snapshotVersion = 0;
                while (_pendingRemovals.TryDequeue(out _))
                {
                }
                foreach (var key in removals)
                {
                    _pendingRemovals.Enqueue(key);
                }
                LastSeq = seq;
                SnapshotFile = covers > 0 ? info.SnapshotFile : null;
                SnapshotSeq = covers;
                SnapshotSavedAt = DateTime.UtcNow;
            }
            finally
            {
                _state.ExitWriteLock();
            }
            old?.Dispose();
            EmbeddedVectorStoreLog.CollectionLoaded(
                _logger, Schema.Table, stopwatch.ElapsedMilliseconds, rows.Count, _index?.Size ?? 0, covers, segments.Sum(s => s.Count));
        }
        finally
        {
            index?.Dispose();
        }
    }

    /// <summary>Applies a committed write (the writer's own, or one a reader replays).</summary>
    public void Apply(CollectionChanges changes)
    {
        _state.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            foreach (var key in changes.DeletedKeys)
            {
                RemoveRow(key);
            }
            foreach (var row in changes.Added)
            {
                ref var entry = ref _rows.Add(row.Key, row.DocumentId, row.Source);
                var segment = Tail(_segments);
                entry.Segment = segment;
                entry.Row = segment.Append(row.Key, row.Seq, entry.Document, entry.Source, row.Vector);
            }
            LastSeq = Math.Max(LastSeq, changes.Seq);
        }
        finally
        {
            _state.ExitWriteLock();
        }
    }

    /// <summary>Notes a sequence that changed nothing here (so that replays start after it).</summary>
    public void Advance(long seq)
    {
        _state.EnterWriteLock();
        try
        {
            LastSeq = Math.Max(LastSeq, seq);
        }
        finally
        {
            _state.ExitWriteLock();
        }
    }

    /// <summary>
    /// The in-memory part of a search: chooses the route and, unless it is <see cref="SearchRoute.FilteredSql"/>,
    /// returns the candidates (exact ones from fresh rows, approximate ones from the ANN index). A row matches when its
    /// document is one of <paramref name="documentIds"/> and its source one of <paramref name="sources"/> (null: any).
    /// The caller holds one of <see cref="SearchSlots"/>.
    /// </summary>
    public (SearchRoute Route, List<SearchCandidate> Candidates) Search(
        float[] query, IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources, float minScore, int topK)
    {
        _state.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            var (filter, matching) = RowFilter.Create(_rows, documentIds, sources);
            var filtered = filter.IsActive;
            var index = _index;
            long indexSize = 0;
            if (index is not null)
            {
                _indexLock.EnterReadLock();
                try
                {
                    indexSize = index.Size;
                }
                finally
                {
                    _indexLock.ExitReadLock();
                }
            }
            var annUsable = indexSize > 0;
            if (annUsable && filtered && matching <= _options.FilteredExactScanThreshold)
            {
                // Few matching rows: an exact scan of exactly those (through SQLite's indexes) beats hoping the graph
                // traversal reaches them; it also sees rows a reader has not replayed yet.
                return (SearchRoute.FilteredSql, []);
            }
            var candidates = new List<SearchCandidate>();
            if (matching == 0)
            {
                return (annUsable ? SearchRoute.Ann : SearchRoute.Memory, candidates);
            }

            var fresh = new TopK(topK);
            ScanFresh(query, filter, minScore, fresh);
            for (var i = 0; i < fresh.Count; i++)
            {
                candidates.Add(new SearchCandidate(fresh.KeyAt(i), fresh.ScoreAt(i), Exact: true));
            }
            if (!annUsable)
            {
                return (SearchRoute.Memory, candidates);
            }

            // A few more than k: the f16 scores are re-ranked with the float32 vectors afterwards. Deleted, replaced and
            // filtered-out keys are rejected during the traversal, so they need no over-fetch.
            var count = (int)Math.Min(topK + Math.Max(6, topK / 2), indexSize);
            var keys = new ulong[count];
            var distances = new float[count];
            var rows = _rows;
            int found;
            _indexLock.EnterReadLock();
            try
            {
                found = index!.Search(query, keys, distances, key => rows.Accepts((long)key, filter));
            }
            finally
            {
                _indexLock.ExitReadLock();
            }
            for (var i = 0; i < found; i++)
            {
                candidates.Add(new SearchCandidate((long)keys[i], 1f - distances[i], Exact: false));
            }
            return (SearchRoute.Ann, candidates);
        }
        finally
        {
            _state.ExitReadLock();
        }
    }

    /// <summary>
    /// Writer background step: moves a batch of fresh rows into the HNSW index (creating the index once the collection
    /// reaches <see cref="EmbeddedVectorStoreOptions.ExactScanThreshold"/> rows) and removes deleted keys from it.
    /// Holds the index's write lock for about 10 ms at a time. Returns the rows processed (0 = nothing to do).
    /// </summary>
    public int IndexStep()
    {
        if (!_writer)
        {
            return 0;
        }
        if (_index is null && !StartIndex())
        {
            return 0;
        }
        var index = _index!;
        var work = RemovePending(index);

        // Copy the next rows (skipping deleted ones) under the read lock: appends and searches go on meanwhile.
        var cursors = new List<(FreshSegment Segment, int Indexed)>();
        var count = 0;
        var processed = 0;
        _state.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            EnsureBatchBuffers(_batchRows);
            foreach (var segment in _segments)
            {
                var row = segment.Indexed;
                for (; row < segment.Count && count < _batchRows; row++)
                {
                    if (segment.DocumentOrdinals[row] != 0)
                    {
                        _batchKeys[count] = segment.Keys[row];
                        segment.Vector(row).CopyTo(_batchVectors.AsSpan(count * Dimension, Dimension));
                        count++;
                    }
                }
                if (row > segment.Indexed)
                {
                    cursors.Add((segment, row));
                    processed += row - segment.Indexed;
                }
                if (count >= _batchRows)
                {
                    break;
                }
            }
        }
        finally
        {
            _state.ExitReadLock();
        }
        if (cursors.Count == 0)
        {
            return work;
        }

        if (count > 0)
        {
            var stopwatch = Stopwatch.StartNew();
            _indexLock.EnterWriteLock();
            try
            {
                if (index.Capacity < index.Size + count)
                {
                    index.Reserve(Math.Max(index.Size + count, index.Size + index.Size / 2 + 1024));
                }
                AddBatch(index, count);
            }
            finally
            {
                _indexLock.ExitWriteLock();
            }
            // Size the next batch so that searches wait about IndexLockBudget at most.
            var perRow = stopwatch.Elapsed.TotalMilliseconds / count;
            _batchRows = (int)Math.Clamp(IndexLockBudget.TotalMilliseconds / Math.Max(perRow, 0.001), 8, 1024);
            Interlocked.Increment(ref _indexVersion);
            Interlocked.Add(ref _indexedSinceSnapshot, count);
        }

        _state.EnterWriteLock();
        try
        {
            foreach (var (segment, indexed) in cursors)
            {
                for (var row = segment.Indexed; row < indexed; row++)
                {
                    if (segment.DocumentOrdinals[row] == 0)
                    {
                        _freshDead = Math.Max(0, _freshDead - 1);
                    }
                }
                segment.Indexed = indexed;
            }
            DropIndexedSegments();
        }
        finally
        {
            _state.ExitWriteLock();
        }
        return work + processed;
    }

    /// <summary>
    /// Whether the writer should save a snapshot now: the index changed since the last one, and the interval passed or
    /// <see cref="EmbeddedVectorStoreOptions.SnapshotAfterRows"/> rows went into the index since (so that readers, which
    /// scan rows newer than their snapshot exactly, never fall far behind during a bulk load).
    /// </summary>
    public bool SnapshotDue(DateTime now, bool force)
    {
        if (!_writer || _index is null || (Interlocked.Read(ref _indexVersion) == _snapshotVersion && _pendingRemovals.IsEmpty))
        {
            return false;
        }
        if (force)
        {
            return true;
        }
        // Saving a large index takes seconds (the indexer waits meanwhile): keep that under a tenth of the time.
        var since = now - SnapshotSavedAt;
        if (since < LastSaveDuration * 10)
        {
            return false;
        }
        return since >= _options.SnapshotInterval
            || (_options.SnapshotAfterRows > 0 && Interlocked.Read(ref _indexedSinceSnapshot) >= _options.SnapshotAfterRows);
    }

    /// <summary>How long the last snapshot took to write (writer).</summary>
    public TimeSpan LastSaveDuration { get; private set; }

    /// <summary>
    /// Writer: saves the index to a new file in <paramref name="directory"/> (written to a temporary name, flushed to
    /// disk, then renamed). Returns the file name and the sequence it covers. Runs on the background task, the only one
    /// that mutates the index, so no add or remove runs meanwhile; searches go on.
    /// </summary>
    public (string File, long Seq, long Size, long Version) SaveSnapshot(string directory)
    {
        var index = _index ?? throw new InvalidOperationException("No index to save.");
        long covers, version;
        var removals = new List<long>();
        _state.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            covers = _indexCoversSeq;
            // Deletes queue their removal under the state write lock, so this drains every delete up to LastSeq
            // (>= covers): a restart from this snapshot only needs the tombstones after it.
            while (_pendingRemovals.TryDequeue(out var key))
            {
                removals.Add(key);
            }
        }
        finally
        {
            _state.ExitReadLock();
        }
        if (removals.Count > 0)
        {
            _indexLock.EnterWriteLock();
            try
            {
                foreach (var key in removals)
                {
                    index.Remove((ulong)key);
                }
            }
            finally
            {
                _indexLock.ExitWriteLock();
            }
        }
        version = Interlocked.Increment(ref _indexVersion);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var file = $"{Schema.Table}-{covers:D12}-{DateTime.UtcNow:yyyyMMddHHmmssfff}.usearch";
        var path = Path.Combine(directory, file);
        var temporary = path + ".tmp";
        long size;
        _indexLock.EnterReadLock();
        try
        {
            index.Save(temporary);
            size = index.Size;
        }
        finally
        {
            _indexLock.ExitReadLock();
        }
        using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path);
        LastSaveDuration = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return (file, covers, size, version);
    }

    /// <summary>Writer: the database now points at <paramref name="file"/>.</summary>
    public void SnapshotRecorded(string file, long seq, long version)
    {
        _snapshotVersion = version;
        Interlocked.Exchange(ref _indexedSinceSnapshot, 0);
        PreviousSnapshotFile = SnapshotFile;
        SnapshotFile = file;
        SnapshotSeq = seq;
        SnapshotSavedAt = DateTime.UtcNow;
    }

    /// <summary>
    /// Reader: switches to the writer's newer snapshot (memory-mapped); fresh rows it covers stop being scanned.
    /// Takes ownership of <paramref name="view"/>.
    /// </summary>
    public void SwitchSnapshot(HnswIndex view, string file, long seq)
    {
        HnswIndex? old;
        _state.EnterWriteLock();
        try
        {
            if (_disposed || seq <= SnapshotSeq)
            {
                old = view;
            }
            else
            {
                _indexLock.EnterWriteLock();
                try
                {
                    old = _index;
                    _index = view;
                }
                finally
                {
                    _indexLock.ExitWriteLock();
                }
                foreach (var segment in _segments)
                {
                    while (segment.Indexed < segment.Count && segment.Seqs[segment.Indexed] <= seq)
                    {
                        segment.Indexed++;
                    }
                }
                DropIndexedSegments();
                _indexCoversSeq = seq;
                _freshDead = 0;
                PreviousSnapshotFile = SnapshotFile;
                SnapshotFile = file;
                SnapshotSeq = seq;
                SnapshotSavedAt = DateTime.UtcNow;
            }
        }
        finally
        {
            _state.ExitWriteLock();
        }
        old?.Dispose();
    }

    /// <summary>Without an ANN index, rewrites the fresh segments when deleted rows fill more than half of them.</summary>
    public void CompactIfNeeded()
    {
        if (_index is not null || _freshDead < 1024 || _freshDead < _rows.Count)
        {
            return;
        }
        _state.EnterWriteLock();
        try
        {
            if (_index is not null || _disposed)
            {
                return;
            }
            var segments = new List<FreshSegment>();
            foreach (var segment in _segments)
            {
                for (var row = segment.Indexed; row < segment.Count; row++)
                {
                    if (segment.DocumentOrdinals[row] == 0)
                    {
                        continue;
                    }
                    var key = segment.Keys[row];
                    ref var entry = ref _rows.Find(key, out var exists);
                    if (exists)
                    {
                        var target = Tail(segments);
                        entry.Segment = target;
                        entry.Row = target.Append(key, segment.Seqs[row], entry.Document, entry.Source, segment.Vector(row));
                    }
                }
            }
            _segments = segments;
            _freshDead = 0;
        }
        finally
        {
            _state.ExitWriteLock();
        }
    }

    public EmbeddedCollectionStatistics Statistics()
    {
        _state.EnterReadLock();
        try
        {
            long fresh = 0;
            foreach (var segment in _segments)
            {
                for (var row = segment.Indexed; row < segment.Count; row++)
                {
                    if (segment.DocumentOrdinals[row] != 0)
                    {
                        fresh++;
                    }
                }
            }
            long indexed = 0, memory = 0;
            var index = _index;
            if (index is not null && !_disposed)
            {
                _indexLock.EnterReadLock();
                try
                {
                    indexed = index.Size;
                    memory = index.MemoryUsage;
                }
                finally
                {
                    _indexLock.ExitReadLock();
                }
            }
            return new EmbeddedCollectionStatistics(
                Schema.Collection, Dimension, _rows.Count, fresh, index is not null, indexed, memory, index?.IsView ?? false,
                LastSeq, SnapshotSeq, _segments.Sum(s => (long)s.Capacity * Dimension * sizeof(float)));
        }
        finally
        {
            _state.ExitReadLock();
        }
    }

    /// <summary>Whether every live row is where searches find it fastest (the writer's indexer has nothing left to do).</summary>
    public bool IndexCaughtUp()
    {
        var statistics = Statistics();
        return statistics.FreshRows == 0 || (!statistics.AnnIndex && statistics.Rows < _options.ExactScanThreshold);
    }

    public void Dispose()
    {
        _state.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _indexLock.EnterWriteLock();
            try
            {
                _index?.Dispose();
                _index = null;
            }
            finally
            {
                _indexLock.ExitWriteLock();
            }
            _segments = [];
            _rows = new RowDirectory();
        }
        finally
        {
            _state.ExitWriteLock();
        }
        SearchSlots.Dispose();
    }

    private int IndexThreadSlots => Math.Max(Environment.ProcessorCount, _indexThreads);

    private bool StartIndex()
    {
        int rows;
        _state.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            rows = _rows.Count;
        }
        finally
        {
            _state.ExitReadLock();
        }
        if (rows == 0 || rows < _options.ExactScanThreshold)
        {
            return false;
        }
        var index = HnswIndex.Create(Dimension, _options.Hnsw.Quantization, _options.Hnsw, IndexThreadSlots);
        index.Reserve(Math.Max(1024, rows + rows / 4));
        _state.EnterWriteLock();
        try
        {
            _indexLock.EnterWriteLock();
            try
            {
                _index = index;
            }
            finally
            {
                _indexLock.ExitWriteLock();
            }
            // Rows deleted while fresh never reach the index; from now on deletes also queue an index removal.
            _indexCoversSeq = 0;
        }
        finally
        {
            _state.ExitWriteLock();
        }
        EmbeddedVectorStoreLog.IndexStarted(_logger, Schema.Table, rows);
        return true;
    }

    private int RemovePending(HnswIndex index)
    {
        if (_pendingRemovals.IsEmpty)
        {
            return 0;
        }
        var removed = 0;
        _indexLock.EnterWriteLock();
        try
        {
            while (_pendingRemovals.TryDequeue(out var key))
            {
                index.Remove((ulong)key);
                removed++;
            }
        }
        finally
        {
            _indexLock.ExitWriteLock();
        }
        Interlocked.Increment(ref _indexVersion);
        return removed;
    }

    private void AddBatch(HnswIndex index, int count)
    {
        var threads = Math.Min(_indexThreads, index.ThreadSlots);
        var duplicates = new ConcurrentBag<int>();
        void AddRange(int start, int step)
        {
            for (var i = start; i < count; i += step)
            {
                try
                {
                    index.Add((ulong)_batchKeys[i], _batchVectors.AsSpan(i * Dimension, Dimension));
                }
                catch (VectorStoreException e) when (e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
                {
                    duplicates.Add(i);
                }
            }
        }
        if (threads <= 1 || count < 2 * threads)
        {
            AddRange(0, 1);
        }
        else
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => AddRange(t, threads));
        }
        // A key can already be in a loaded snapshot (when the database lost its last transactions to a power failure
        // after the snapshot was written): replace the entry.
        foreach (var i in duplicates)
        {
            index.Remove((ulong)_batchKeys[i]);
            index.Add((ulong)_batchKeys[i], _batchVectors.AsSpan(i * Dimension, Dimension));
        }
    }

    private void EnsureBatchBuffers(int rows)
    {
        if (_batchKeys.Length < rows)
        {
            _batchKeys = new long[rows];
            _batchVectors = new float[rows * Dimension];
        }
    }

    /// <summary>Under the state write lock: drops segments whose rows are all in the index and updates the coverage.</summary>
    private void DropIndexedSegments()
    {
        for (var i = 0; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            var isTail = i == _segments.Count - 1;
            if (segment.Indexed < segment.Count || (isTail && !segment.IsFull))
            {
                continue;
            }
            for (var row = 0; row < segment.Count; row++)
            {
                if (segment.DocumentOrdinals[row] == 0)
                {
                    continue;
                }
                ref var entry = ref _rows.Find(segment.Keys[row], out var exists);
                if (exists && entry.Segment == segment)
                {
                    entry.Segment = null;
                }
            }
            _segments.RemoveAt(i--);
        }
        // Everything up to the first row still waiting is in the index (rows of one write share a sequence).
        var next = _segments.FirstOrDefault(s => s.Indexed < s.Count);
        _indexCoversSeq = next is null ? LastSeq : next.Seqs[next.Indexed] - 1;
    }

    private void RemoveRow(long key)
    {
        if (!_rows.Remove(key, out var entry))
        {
            return;
        }
        var fresh = entry.Segment is { } segment && entry.Row >= segment.Indexed;
        if (fresh)
        {
            entry.Segment!.DocumentOrdinals[entry.Row] = 0;
            _freshDead++;
        }
        // The indexer may have copied the row just before; a removal of a missing key is a no-op.
        if (_writer && _index is not null)
        {
            _pendingRemovals.Enqueue(key);
        }
    }

    private FreshSegment Tail(List<FreshSegment> segments)
    {
        var tail = segments.Count > 0 ? segments[^1] : null;
        if (tail is null || tail.IsFull)
        {
            var capacity = tail is null ? FirstSegmentRows : Math.Min(_maxSegmentRows, tail.Capacity * 2);
            tail = new FreshSegment(capacity, Dimension);
            segments.Add(tail);
        }
        return tail;
    }

    private void ScanFresh(ReadOnlySpan<float> query, RowFilter filter, float minScore, TopK top)
    {
        var dimension = Dimension;
        var filtered = filter.IsActive;
        foreach (var segment in _segments)
        {
            var documents = segment.DocumentOrdinals;
            var sources = segment.SourceOrdinals;
            var vectors = segment.Vectors;
            for (var row = segment.Indexed; row < segment.Count; row++)
            {
                var rowDocument = documents[row];
                if (rowDocument == 0 || (filtered && !filter.Matches(rowDocument, sources[row])))
                {
                    continue;
                }
                var score = TensorPrimitives.Dot(query, new ReadOnlySpan<float>(vectors, row * dimension, dimension));
                if (score >= minScore && score > top.Threshold)
                {
                    top.Add(segment.Keys[row], score);
                }
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
