namespace AspireMmRag.VectorStore.Milvus;

/// <summary>Orders VarChar primary keys the way Milvus does (by UTF-8 bytes, i.e. by Unicode code point), which the
/// <c>id &gt; "last"</c> paging cursor relies on. <see cref="StringComparer.Ordinal"/> differs for characters above U+FFFF.</summary>
internal sealed class MilvusPrimaryKeyComparer : IComparer<string>
{
    public static readonly MilvusPrimaryKeyComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null)
        {
            return -1;
        }
        if (y is null)
        {
            return 1;
        }
        var left = x.EnumerateRunes();
        var right = y.EnumerateRunes();
        while (true)
        {
            var hasLeft = left.MoveNext();
            var hasRight = right.MoveNext();
            if (!hasLeft || !hasRight)
            {
                return hasLeft.CompareTo(hasRight);
            }
            var order = left.Current.Value.CompareTo(right.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }
}
