using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// One USearch HNSW index (cosine metric) behind <see cref="UsearchNative"/>: checks every vector length (USearch
/// reads past short arrays), converts errors into <see cref="VectorStoreException"/>. Not synchronized: the owner
/// (the collection) never runs add, remove, reserve or dispose concurrently with anything else,
/// and never runs more concurrent searches than the index has thread slots (see ThreadSlots).
/// </summary>
internal sealed class HnswIndex : IDisposable
{
    private static readonly UsearchNative.FilterCallback FilterThunk = Filter;
    private static readonly IntPtr FilterPointer = Marshal.GetFunctionPointerForDelegate(FilterThunk);

    private readonly IndexHandle _handle;

    private HnswIndex(IndexHandle handle, int dimensions, bool isView, int threadSlots)
    {
        _handle = handle;
        Dimensions = dimensions;
        IsView = isView;
        ThreadSlots = threadSlots;
    }

    public int Dimensions { get; }

    /// <summary>A memory-mapped, read-only view of a snapshot file: searches only.</summary>
    public bool IsView { get; }

    /// <summary>How many native calls (adds plus searches) may run at the same time.</summary>
    public int ThreadSlots { get; private set; }

    public long Size => (long)Call(static (h, out e) => UsearchNative.usearch_size(h, out e), "size");

    public long Capacity => (long)Call(static (h, out e) => UsearchNative.usearch_capacity(h, out e), "capacity");

    public long MemoryUsage => (long)Call(static (h, out e) => UsearchNative.usearch_memory_usage(h, out e), "memory usage");

    public static HnswIndex Create(int dimensions, EmbeddedVectorQuantization quantization, EmbeddedHnswOptions hnsw, int threadSlots)
    {
        var options = new UsearchNative.InitOptions
        {
            MetricKind = UsearchNative.MetricCos,
            Quantization = quantization == EmbeddedVectorQuantization.Float32 ? UsearchNative.ScalarF32 : UsearchNative.ScalarF16,
            Dimensions = (nuint)dimensions,
            Connectivity = (nuint)hnsw.Connectivity,
            ExpansionAdd = (nuint)hnsw.ExpansionAdd,
            ExpansionSearch = (nuint)hnsw.ExpansionSearch,
        };
        var raw = UsearchNative.usearch_init(ref options, out var error);
        var handle = new IndexHandle(raw);
        try
        {
            UsearchNative.ThrowIfError(error, "init");
            if (handle.IsInvalid)
            {
                throw new VectorStoreException("USearch init returned no index.");
            }
            var index = new HnswIndex(handle, dimensions, isView: false, threadSlots: 1);
            index.SetThreadSlots(threadSlots);
            return index;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Loads (copies into memory, mutable) or views (memory-maps, read-only) a saved index.</summary>
    public static HnswIndex Open(string path, int expectedDimensions, bool view, int expansionSearch, int threadSlots)
    {
        var metadata = default(UsearchNative.InitOptions);
        UsearchNative.usearch_metadata(path, ref metadata, out var error);
        UsearchNative.ThrowIfError(error, $"metadata of {path}");
        if ((int)metadata.Dimensions != expectedDimensions || metadata.MetricKind != UsearchNative.MetricCos)
        {
            throw new VectorStoreException(
                $"Index snapshot {path} has {metadata.Dimensions} dimensions (metric {metadata.MetricKind}); expected {expectedDimensions} (cosine).");
        }

        var options = default(UsearchNative.InitOptions);
        options.MetricKind = metadata.MetricKind;
        options.Quantization = metadata.Quantization;
        options.Dimensions = metadata.Dimensions;
        var handle = new IndexHandle(UsearchNative.usearch_init(ref options, out error));
        try
        {
            UsearchNative.ThrowIfError(error, "init");
            if (view)
            {
                UsearchNative.usearch_view(handle.DangerousGetHandle(), path, out error);
            }
            else
            {
                UsearchNative.usearch_load(handle.DangerousGetHandle(), path, out error);
            }
            UsearchNative.ThrowIfError(error, view ? $"view of {path}" : $"load of {path}");
            if ((int)UsearchNative.usearch_dimensions(handle.DangerousGetHandle(), out _) != expectedDimensions)
            {
                throw new VectorStoreException($"Index snapshot {path} does not have {expectedDimensions} dimensions.");
            }

            // A view keeps the thread slots the loader reserved (one per hardware thread): changing them would copy
            // the mapped file into memory.
            var index = new HnswIndex(handle, expectedDimensions, view, view ? Math.Min(threadSlots, Environment.ProcessorCount) : 1);
            UsearchNative.usearch_change_expansion_search(handle.DangerousGetHandle(), (nuint)expansionSearch, out error);
            UsearchNative.ThrowIfError(error, "expansion change");
            if (!view)
            {
                index.SetThreadSlots(threadSlots);
            }
            return index;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Changes the search expansion (ef). Must not run concurrently with searches.</summary>
    public void SetExpansionSearch(int expansion)
    {
        UsearchNative.usearch_change_expansion_search(_handle.DangerousGetHandle(), (nuint)expansion, out var error);
        UsearchNative.ThrowIfError(error, "expansion change");
    }

    /// <summary>Grows the capacity (a mutable index only). Must not run concurrently with any other call.</summary>
    public void Reserve(long capacity)
    {
        ThrowIfView();
        UsearchNative.usearch_reserve(_handle.DangerousGetHandle(), (nuint)capacity, out var error);
        UsearchNative.ThrowIfError(error, "reserve");
        // Reserving recomputes the thread limits from the hardware; set ours again.
        SetThreadSlots(ThreadSlots);
    }

    public void Add(ulong key, ReadOnlySpan<float> vector)
    {
        ThrowIfView();
        CheckLength(vector.Length);
        UsearchNative.usearch_add(_handle.DangerousGetHandle(), key, in MemoryMarshal.GetReference(vector), UsearchNative.ScalarF32, out var error);
        UsearchNative.ThrowIfError(error, "add");
    }

    public bool Remove(ulong key)
    {
        ThrowIfView();
        var removed = UsearchNative.usearch_remove(_handle.DangerousGetHandle(), key, out var error);
        UsearchNative.ThrowIfError(error, "remove");
        return removed > 0;
    }

    public bool Contains(ulong key)
    {
        var found = UsearchNative.usearch_contains(_handle.DangerousGetHandle(), key, out var error);
        UsearchNative.ThrowIfError(error, "contains");
        return found;
    }

    /// <summary>
    /// Approximate nearest neighbours of <paramref name="query"/>, closest first; with a filter, only keys it accepts
    /// (checked during the traversal, so a filter does not cost recall the way post-filtering does).
    /// Distances are cosine distances (1 - cosine similarity).
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<ulong> keys, Span<float> distances, Func<ulong, bool>? filter)
    {
        CheckLength(query.Length);
        if (keys.Length == 0 || distances.Length < keys.Length)
        {
            throw new ArgumentException("The result buffers are empty or of different lengths.");
        }
        IntPtr error;
        nuint found;
        if (filter is null)
        {
            found = UsearchNative.usearch_search(
                _handle.DangerousGetHandle(), in MemoryMarshal.GetReference(query), UsearchNative.ScalarF32, (nuint)keys.Length,
                ref MemoryMarshal.GetReference(keys), ref MemoryMarshal.GetReference(distances), out error);
        }
        else
        {
            var state = GCHandle.Alloc(filter);
            try
            {
                found = UsearchNative.usearch_filtered_search(
                    _handle.DangerousGetHandle(), in MemoryMarshal.GetReference(query), UsearchNative.ScalarF32, (nuint)keys.Length,
                    FilterPointer, GCHandle.ToIntPtr(state),
                    ref MemoryMarshal.GetReference(keys), ref MemoryMarshal.GetReference(distances), out error);
            }
            finally
            {
                state.Free();
            }
        }
        UsearchNative.ThrowIfError(error, "search");
        return (int)found;
    }

    /// <summary>Writes the index to <paramref name="path"/>. Safe alongside searches, not alongside adds or removes.</summary>
    public void Save(string path)
    {
        UsearchNative.usearch_save(_handle.DangerousGetHandle(), path, out var error);
        UsearchNative.ThrowIfError(error, $"save to {path}");
    }

    public void Dispose() => _handle.Dispose();

    private void SetThreadSlots(int threads)
    {
        threads = Math.Max(1, threads);
        UsearchNative.usearch_change_threads_add(_handle.DangerousGetHandle(), (nuint)threads, out var error);
        UsearchNative.ThrowIfError(error, "thread change");
        UsearchNative.usearch_change_threads_search(_handle.DangerousGetHandle(), (nuint)threads, out error);
        UsearchNative.ThrowIfError(error, "thread change");
        ThreadSlots = threads;
    }

    private void ThrowIfView()
    {
        // Adding to a memory-mapped view crashes the process (USearch 2.26.6) instead of failing.
        if (IsView)
        {
            throw new InvalidOperationException("A memory-mapped index snapshot is read-only.");
        }
    }

    private void CheckLength(int length)
    {
        if (length != Dimensions)
        {
            throw new ArgumentException($"The vector has {length} dimensions; the index has {Dimensions}.");
        }
    }

    private delegate nuint NativeGetter(IntPtr handle, out IntPtr error);

    private nuint Call(NativeGetter getter, string operation)
    {
        var value = getter(_handle.DangerousGetHandle(), out var error);
        UsearchNative.ThrowIfError(error, operation);
        return value;
    }

    private static int Filter(ulong key, IntPtr state)
    {
        try
        {
            return GCHandle.FromIntPtr(state).Target is Func<ulong, bool> filter && filter(key) ? 1 : 0;
        }
        catch
        {
            // An exception must not unwind through native frames.
            return 0;
        }
    }

    private sealed class IndexHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public IndexHandle(IntPtr handle) : base(ownsHandle: true) => SetHandle(handle);

        protected override bool ReleaseHandle()
        {
            UsearchNative.usearch_free(handle, out _);
            return true;
        }
    }
}
