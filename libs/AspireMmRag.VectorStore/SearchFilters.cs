namespace AspireMmRag.VectorStore;

/// <summary>Reads the filter sets of <see cref="VectorSearchOptions"/>: null or empty means no filter.</summary>
internal static class SearchFilters
{
    /// <summary>The distinct values of a filter set, or null when the set is null or empty (no filtering). A null value
    /// in the set is an <see cref="ArgumentException"/>.</summary>
    public static IReadOnlyList<string>? Values(IReadOnlyCollection<string>? values, string name, string paramName)
    {
        if (values is null || values.Count == 0)
        {
            return null;
        }
        var distinct = new List<string>(values.Count);
        var seen = new HashSet<string>(values.Count, StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is null)
            {
                throw new ArgumentException($"{name} contains a null value.", paramName);
            }
            if (seen.Add(value))
            {
                distinct.Add(value);
            }
        }
        return distinct;
    }

    public static IReadOnlyList<string>? DocumentIds(VectorSearchOptions options, string paramName) =>
        Values(options.DocumentIds, nameof(VectorSearchOptions.DocumentIds), paramName);

    public static IReadOnlyList<string>? Sources(VectorSearchOptions options, string paramName) =>
        Values(options.Sources, nameof(VectorSearchOptions.Sources), paramName);
}
