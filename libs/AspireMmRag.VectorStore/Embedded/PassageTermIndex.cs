using System.Buffers;
using System.Runtime.InteropServices;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>A passage row as the full-text index reads it.</summary>
internal sealed record PassageText(long Key, string DocumentId, string Source, string Title, string Section, string Text);

/// <summary>
/// An in-memory inverted index of the passages that ranks exactly as the FTS5 query of <see cref="PassageFullText"/>
/// does, in tens of microseconds where FTS5 takes milliseconds (it calls <c>bm25()</c> once per matching row, and every
/// row holding any query word matches). It holds the same terms (<see cref="FullTextTokenizer"/>), the same statistics
/// (rows, tokens per row and in all, rows per term) and applies the same formula, term by term in query order:
/// score(row) = Σ idf(t) · f·(k1 + 1) / (f + k1·(1 − b + b·|row| / avg|row|)), k1 = 1.2, b = 0.75, with
/// f = Σ column weight × occurrences of t in that column, idf(t) = log((N − n + 0.5) / (n + 0.5)), floored at 1e-6;
/// best first, ties by key. It reflects the passages up to change sequence <see cref="Seq"/>: the store adds the rows
/// and removes the tombstoned keys of each later sequence (<see cref="Apply"/>). A removed row stays in the posting
/// lists, skipped, until removed rows are more than 1,024 and a quarter of all, when they are compacted away (new
/// ordinals, posting lists and document/source interners of the live rows only). Thread-safe: searches share a read
/// lock, changes take the write lock.
/// </summary>
internal sealed class PassageTermIndex
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private const int Removed = -1;

    private readonly FullTextTokenizer _tokenizer;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, Postings> _terms = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _ordinals = [];
    private StringInterner _documents = new();
    private StringInterner _sources = new();
    private long[] _keys = new long[1024];
    private int[] _lengths = new int[1024];
    private int[] _documentOf = new int[1024];
    private int[] _sourceOf = new int[1024];
    private int _count;
    private int _removed;
    private long _liveTokens;
    private long _postings;

    /// <summary>Per row, k1·(1 − b + b·|row| / avg|row|), for the <see cref="_version"/> it was computed at (null: not yet).</summary>
    private volatile LengthNorms? _norms;

    /// <summary>Bumped by every <see cref="Apply"/> (rows, lengths and ordinals may all have changed).</summary>
    private long _version;

    public PassageTermIndex(FullTextTokenizer tokenizer, long seq)
    {
        _tokenizer = tokenizer;
        Seq = seq;
    }

    /// <summary>The change sequence the index reflects.</summary>
    public long Seq { get; private set; }

    public int Rows
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _count - _removed;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Entries in the posting lists (one per distinct term of a row), removed rows' included until compacted.</summary>
    public long PostingCount => Interlocked.Read(ref _postings);

    /// <summary>Removes <paramref name="deleted"/> keys (absent ones are ignored), adds <paramref name="added"/> rows
    /// (whose keys are new: keys are never reused) and records <paramref name="seq"/>. Tokenizes outside the lock.</summary>
    public void Apply(IReadOnlyCollection<long> deleted, IReadOnlyList<PassageText> added, long seq)
    {
        var rows = new TokenizedRow[added.Count];
        for (var i = 0; i < added.Count; i++)
        {
            rows[i] = Tokenize(added[i]);
        }
        _lock.EnterWriteLock();
        try
        {
            _version++;
            foreach (var key in deleted)
            {
                Remove(key);
            }
            foreach (var row in rows)
            {
                Add(row);
            }
            Seq = Math.Max(Seq, seq);
            if (_removed > 1024 && _removed * 4L > _count)
            {
                Compact();
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// The best <paramref name="limit"/> keys for <paramref name="terms"/> (distinct terms of
    /// <see cref="FullTextTokenizer.DistinctTerms"/>, pruned here by <see cref="FullTextQuery.SelectTerms(IReadOnlyList{string}, IReadOnlyList{long}, long)"/>
    /// from this index's own counts, as the FTS5 path prunes from FTS5's) among rows whose document is one of
    /// <paramref name="documentIds"/> and source one of <paramref name="sources"/> (null: any), best first, with their
    /// BM25 scores (higher is better).
    /// </summary>
    public List<SearchCandidate> Search(IReadOnlyList<string> terms, IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources, int limit)
    {
        _lock.EnterReadLock();
        try
        {
            var rows = _count - _removed;
            if (rows == 0 || terms.Count == 0)
            {
                return [];
            }
            var postings = new Postings?[terms.Count];
            var frequencies = new long[terms.Count];
            for (var i = 0; i < terms.Count; i++)
            {
                if (_terms.TryGetValue(terms[i], out var list))
                {
                    postings[i] = list;
                    frequencies[i] = LiveCount(list);
                }
            }
            var kept = FullTextQuery.SelectTerms(terms, frequencies, rows);
            if (kept.Count == 0)
            {
                return [];
            }
            var (filter, _) = RowFilter.Create(_documents, _sources, rows, documentIds, sources);
            return Score(kept, terms, postings, frequencies, rows, filter, limit);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private List<SearchCandidate> Score(IReadOnlyList<string> kept, IReadOnlyList<string> terms, Postings?[] postings, long[] frequencies,
        int rows, RowFilter filter, int limit)
    {
        var norms = Norms(rows);
        var scores = ArrayPool<double>.Shared.Rent(_count);
        var touched = ArrayPool<int>.Shared.Rent(_count);
        Array.Clear(scores, 0, _count);
        var touchedCount = 0;
        var filtered = filter.IsActive;
        try
        {
            var next = 0;
            foreach (var term in kept)
            {
                while (!string.Equals(terms[next], term, StringComparison.Ordinal))
                {
                    next++;
                }
                var list = postings[next]!;
                var n = frequencies[next];
                var idf = Math.Log((rows - n + 0.5) / (n + 0.5));
                if (idf <= 0.0)
                {
                    idf = 1e-6;
                }
                var docs = list.Docs;
                var weights = list.Frequencies;
                for (var j = 0; j < list.Count; j++)
                {
                    var doc = docs[j];
                    if (_lengths[doc] == Removed || (filtered && !filter.Matches(_documentOf[doc], _sourceOf[doc])))
                    {
                        continue;
                    }
                    double f = weights[j];
                    var contribution = idf * (f * (K1 + 1.0) / (f + norms[doc]));
                    if (scores[doc] == 0)
                    {
                        touched[touchedCount++] = doc;
                    }
                    scores[doc] += contribution;
                }
            }
            var top = new RankedKeys(limit);
            for (var i = 0; i < touchedCount; i++)
            {
                var doc = touched[i];
                top.Add(_keys[doc], scores[doc]);
            }
            return top.ToList();
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
            ArrayPool<int>.Shared.Return(touched);
        }
    }

    /// <summary>The length norms of the current rows (computed by the first search after each <see cref="Apply"/>;
    /// concurrent searches may compute them twice, to equal values). Caller holds the read lock.</summary>
    private double[] Norms(int rows)
    {
        var cached = _norms;
        if (cached is not null && cached.Version == _version)
        {
            return cached.Values;
        }
        var avgdl = (double)_liveTokens / rows;
        var values = new double[_count];
        for (var doc = 0; doc < _count; doc++)
        {
            values[doc] = K1 * (1 - B + B * _lengths[doc] / avgdl);
        }
        _norms = new LengthNorms(_version, values);
        return values;
    }

    private sealed record LengthNorms(long Version, double[] Values);

    private long LiveCount(Postings list)
    {
        if (_removed == 0)
        {
            return list.Count;
        }
        var live = 0L;
        for (var j = 0; j < list.Count; j++)
        {
            if (_lengths[list.Docs[j]] != Removed)
            {
                live++;
            }
        }
        return live;
    }

    private TokenizedRow Tokenize(PassageText row)
    {
        var frequencies = new Dictionary<string, float>(StringComparer.Ordinal);
        var lookup = frequencies.GetAlternateLookup<ReadOnlySpan<char>>();
        var tokens = 0;
        void Column(string text, double weight) => _tokenizer.Tokenize(text, term =>
        {
            tokens++;
            ref var f = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, term, out _);
            f += (float)weight;
        });
        Column(row.Title, PassageFullText.TitleWeight);
        Column(row.Section, PassageFullText.SectionWeight);
        Column(row.Text, PassageFullText.TextWeight);
        return new TokenizedRow(row, tokens, frequencies);
    }

    private void Add(TokenizedRow row)
    {
        if (_ordinals.ContainsKey(row.Row.Key))
        {
            Remove(row.Row.Key);
        }
        if (_count == _keys.Length)
        {
            var size = _keys.Length * 2;
            Array.Resize(ref _keys, size);
            Array.Resize(ref _lengths, size);
            Array.Resize(ref _documentOf, size);
            Array.Resize(ref _sourceOf, size);
        }
        var doc = _count++;
        _ordinals[row.Row.Key] = doc;
        _keys[doc] = row.Row.Key;
        _lengths[doc] = row.Tokens;
        _documentOf[doc] = _documents.AddReference(row.Row.DocumentId);
        _sourceOf[doc] = _sources.AddReference(row.Row.Source);
        _liveTokens += row.Tokens;
        foreach (var (term, frequency) in row.Frequencies)
        {
            if (!_terms.TryGetValue(term, out var list))
            {
                _terms[term] = list = new Postings();
            }
            list.Append(doc, frequency);
        }
        Interlocked.Add(ref _postings, row.Frequencies.Count);
    }

    private void Remove(long key)
    {
        if (!_ordinals.Remove(key, out var doc))
        {
            return;
        }
        _liveTokens -= _lengths[doc];
        _lengths[doc] = Removed;
        _documents.RemoveReference(_documentOf[doc]);
        _sources.RemoveReference(_sourceOf[doc]);
        _removed++;
    }

    /// <summary>Drops removed rows: live rows get new ordinals (in the same order), the posting lists lose theirs, and
    /// the interners keep only the documents and sources of live rows.</summary>
    private void Compact()
    {
        var map = new int[_count];
        var live = 0;
        var documents = new StringInterner();
        var sources = new StringInterner();
        for (var doc = 0; doc < _count; doc++)
        {
            if (_lengths[doc] == Removed)
            {
                map[doc] = Removed;
                continue;
            }
            map[doc] = live;
            _keys[live] = _keys[doc];
            _lengths[live] = _lengths[doc];
            _documentOf[live] = documents.AddReference(_documents.Value(_documentOf[doc]));
            _sourceOf[live] = sources.AddReference(_sources.Value(_sourceOf[doc]));
            _ordinals[_keys[live]] = live;
            live++;
        }
        var postings = 0L;
        var empty = new List<string>();
        foreach (var (term, list) in _terms)
        {
            list.Remap(map);
            postings += list.Count;
            if (list.Count == 0)
            {
                empty.Add(term);
            }
        }
        foreach (var term in empty)
        {
            _terms.Remove(term);
        }
        _count = live;
        _removed = 0;
        _documents = documents;
        _sources = sources;
        Interlocked.Exchange(ref _postings, postings);
    }

    private sealed record TokenizedRow(PassageText Row, int Tokens, Dictionary<string, float> Frequencies);

    /// <summary>The rows of one term, in ordinal order, with the term's weighted frequency in each.</summary>
    private sealed class Postings
    {
        public int[] Docs = new int[4];
        public float[] Frequencies = new float[4];
        public int Count;

        public void Append(int doc, float frequency)
        {
            if (Count == Docs.Length)
            {
                Array.Resize(ref Docs, Count * 2);
                Array.Resize(ref Frequencies, Count * 2);
            }
            Docs[Count] = doc;
            Frequencies[Count] = frequency;
            Count++;
        }

        public void Remap(int[] map)
        {
            var kept = 0;
            for (var j = 0; j < Count; j++)
            {
                var doc = map[Docs[j]];
                if (doc != Removed)
                {
                    Docs[kept] = doc;
                    Frequencies[kept] = Frequencies[j];
                    kept++;
                }
            }
            Count = kept;
            if (Docs.Length > 4 * Math.Max(4, kept))
            {
                Array.Resize(ref Docs, Math.Max(4, kept));
                Array.Resize(ref Frequencies, Math.Max(4, kept));
            }
        }
    }

    /// <summary>The best <c>k</c> (key, score) pairs, higher score first and, between equal scores, the smaller key
    /// (FTS5's <c>ORDER BY score, rowid</c>).</summary>
    private sealed class RankedKeys(int k)
    {
        private readonly long[] _keys = new long[k];
        private readonly double[] _scores = new double[k];
        private int _count;

        public void Add(long key, double score)
        {
            if (_count == k && !Better(key, score, _count - 1))
            {
                return;
            }
            var i = _count == k ? k - 1 : _count++;
            while (i > 0 && Better(key, score, i - 1))
            {
                _keys[i] = _keys[i - 1];
                _scores[i] = _scores[i - 1];
                i--;
            }
            _keys[i] = key;
            _scores[i] = score;
        }

        public List<SearchCandidate> ToList()
        {
            var list = new List<SearchCandidate>(_count);
            for (var i = 0; i < _count; i++)
            {
                list.Add(new SearchCandidate(_keys[i], (float)_scores[i], Exact: true));
            }
            return list;
        }

        private bool Better(long key, double score, int than) =>
            score > _scores[than] || (score == _scores[than] && key < _keys[than]);
    }
}
