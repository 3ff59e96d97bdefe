namespace AspireMmRag.VectorStore.Embedded;

/// <summary>Document ids or sources as small integers (ordinal 0 means "none"), with live row counts per value.</summary>
internal sealed class StringInterner
{
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.Ordinal);
    private readonly List<string> _values = [""];
    private readonly List<int> _counts = [0];

    public int AddReference(string value)
    {
        if (!_ordinals.TryGetValue(value, out var ordinal))
        {
            ordinal = _values.Count;
            _ordinals.Add(value, ordinal);
            _values.Add(value);
            _counts.Add(0);
        }
        _counts[ordinal]++;
        return ordinal;
    }

    public void RemoveReference(int ordinal) => _counts[ordinal]--;

    /// <summary>The ordinal of <paramref name="value"/>, or 0 when no row ever had it.</summary>
    public int Find(string value) => _ordinals.GetValueOrDefault(value);

    /// <summary>The value of an ordinal from <see cref="AddReference"/>.</summary>
    public string Value(int ordinal) => _values[ordinal];

    /// <summary>Live rows with this value.</summary>
    public int RowCount(int ordinal) => ordinal <= 0 ? 0 : _counts[ordinal];
}
