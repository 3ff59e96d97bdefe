namespace AspireMmRag.VectorStore.Milvus;

/// <summary>
/// The full-text (BM25) part of the passages schema (Milvus 2.5 full-text search): the analysed VarChar
/// <see cref="SearchText"/> (title › section, then the passage text), the <see cref="Sparse"/> SparseFloatVector that
/// the <see cref="Function"/> BM25 function fills from it on the server, and that field's SPARSE_INVERTED_INDEX.
/// Writes carry the search text only; the sparse field is never written nor returned.
/// </summary>
internal static class MilvusFullText
{
    public const string SearchText = "search_text";
    public const string Sparse = "text_sparse";
    public const string Function = "text_bm25";
    public const string FunctionType = "BM25";
    public const string MetricType = "BM25";
    public const string IndexType = "SPARSE_INVERTED_INDEX";
    public const string Tokenizer = "standard";

    /// <summary>Lowercase, then fold accents to ASCII ("Huế" and "hue" give the same token).</summary>
    public static readonly string[] Filters = ["lowercase", "asciifolding"];

    public const double Bm25K1 = 1.2;
    public const double Bm25B = 0.75;

    /// <summary>The title › section heading and the text with their separators always fit.</summary>
    public const int SearchTextMaxLength = MilvusSchema.TitleMaxLength + MilvusSchema.SectionMaxLength + MilvusSchema.TextMaxLength + 16;

    private const string PathSeparator = " › ";

    /// <summary>"Title › Section" (the title alone when the section is empty or the title), a newline, then the text; the
    /// text alone when it already starts with that heading (the indexer's chunks do), so heading words are not counted twice.</summary>
    public static string SearchTextOf(PassageRecord record)
    {
        var heading = string.IsNullOrWhiteSpace(record.Section) || record.Section == record.Title
            ? record.Title
            : record.Title + PathSeparator + record.Section;
        if (heading.Length == 0 || record.Text.StartsWith(heading, StringComparison.Ordinal))
        {
            return record.Text;
        }
        return heading + "\n" + record.Text;
    }
}
