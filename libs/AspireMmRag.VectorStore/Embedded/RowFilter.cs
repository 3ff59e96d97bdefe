namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// The document and source ordinals a search keeps, resolved against a <see cref="RowDirectory"/>. A null set keeps
/// every value; a set keeps only its ordinals (a value no live row has resolves to nothing, so an empty set keeps no row).
/// </summary>
internal sealed class RowFilter
{
    public static readonly RowFilter None = new(null, null);

    private readonly OrdinalSet? _documents;
    private readonly OrdinalSet? _sources;

    private RowFilter(OrdinalSet? documents, OrdinalSet? sources)
    {
        _documents = documents;
        _sources = sources;
    }

    public bool IsActive => _documents is not null || _sources is not null;

    /// <summary>Resolves distinct values against the directory's interners; also returns an upper bound of the matching
    /// live rows (the smaller of the filters' summed row counts).</summary>
    public static (RowFilter Filter, int Matching) Create(RowDirectory rows, IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources) =>
        Create(rows.Documents, rows.Sources, rows.Count, documentIds, sources);

    /// <summary>The same against any pair of interners of <paramref name="rows"/> live rows.</summary>
    public static (RowFilter Filter, int Matching) Create(StringInterner documentNames, StringInterner sourceNames, int rows,
        IReadOnlyList<string>? documentIds, IReadOnlyList<string>? sources)
    {
        var matching = rows;
        if (documentIds is null && sources is null)
        {
            return (None, matching);
        }
        var documents = documentIds is null ? null : Resolve(documentNames, documentIds, ref matching);
        var sourceSet = sources is null ? null : Resolve(sourceNames, sources, ref matching);
        return (new RowFilter(documents, sourceSet), matching);
    }

    public bool Matches(int document, int source) =>
        (_documents is null || _documents.Contains(document)) && (_sources is null || _sources.Contains(source));

    private static OrdinalSet Resolve(StringInterner interner, IReadOnlyList<string> values, ref int matching)
    {
        var ordinals = new List<int>(values.Count);
        long count = 0;
        foreach (var value in values)
        {
            var ordinal = interner.Find(value);
            if (ordinal != 0)
            {
                ordinals.Add(ordinal);
                count += interner.RowCount(ordinal);
            }
        }
        matching = (int)Math.Min(matching, count);
        return new OrdinalSet(ordinals);
    }

    /// <summary>A set of positive ordinals: a linear scan for a few, a binary search of the sorted array beyond that.</summary>
    private sealed class OrdinalSet
    {
        private const int LinearLimit = 8;
        private readonly int[] _ordinals;

        public OrdinalSet(List<int> ordinals)
        {
            _ordinals = [.. ordinals];
            Array.Sort(_ordinals);
        }

        public bool Contains(int ordinal)
        {
            var ordinals = _ordinals;
            if (ordinals.Length <= LinearLimit)
            {
                foreach (var value in ordinals)
                {
                    if (value == ordinal)
                    {
                        return true;
                    }
                }
                return false;
            }
            return Array.BinarySearch(ordinals, ordinal) >= 0;
        }
    }
}
