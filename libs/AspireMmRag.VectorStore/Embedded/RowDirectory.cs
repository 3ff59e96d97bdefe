using System.Runtime.InteropServices;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// The live rows of a collection by key: the ANN filter (deleted, replaced or filtered-out keys are rejected during the
/// graph traversal) and the per-document and per-source counts that choose between an exact and an ANN search.
/// </summary>
internal sealed class RowDirectory
{
    private readonly Dictionary<long, RowEntry> _rows;

    public RowDirectory(int capacity = 0) => _rows = new Dictionary<long, RowEntry>(capacity);

    public StringInterner Documents { get; } = new();

    public StringInterner Sources { get; } = new();

    public int Count => _rows.Count;

    /// <summary>Adds (or re-adds) a live key; the returned reference is valid until the next change.</summary>
    public ref RowEntry Add(long key, string documentId, string source)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_rows, key, out var exists);
        if (exists)
        {
            Documents.RemoveReference(entry.Document);
            Sources.RemoveReference(entry.Source);
        }
        entry.Document = Documents.AddReference(documentId);
        entry.Source = Sources.AddReference(source);
        entry.Segment = null;
        entry.Row = 0;
        return ref entry;
    }

    /// <summary>The entry of a live key (a null reference when <paramref name="exists"/> is false).</summary>
    public ref RowEntry Find(long key, out bool exists)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_rows, key);
        exists = !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry);
        return ref entry;
    }

    public bool Remove(long key, out RowEntry entry)
    {
        if (!_rows.Remove(key, out entry))
        {
            return false;
        }
        Documents.RemoveReference(entry.Document);
        Sources.RemoveReference(entry.Source);
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is live and passes the filter.</summary>
    public bool Accepts(long key, RowFilter filter) =>
        _rows.TryGetValue(key, out var entry) && filter.Matches(entry.Document, entry.Source);
}
