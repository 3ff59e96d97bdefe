using System.Globalization;
using System.Text;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>
/// Builds Milvus boolean filter expressions (https://milvus.io/docs/boolean.md) from fixed field names and caller values.
/// Values are always emitted as double-quoted string literals with C-style escapes (<c>\\</c>, <c>\"</c>, <c>\n</c>, <c>\r</c>,
/// <c>\t</c>, <c>\uXXXX</c> for other control characters), which Milvus's expression grammar unquotes; a value can
/// therefore never end the literal early or inject operators.
/// </summary>
internal static class MilvusFilter
{
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(@"\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary><c>field == "value"</c></summary>
    public static string EqualTo(string field, string value) => $"{field} == {Quote(value)}";

    /// <summary><c>field &gt; "value"</c> (Milvus compares strings by their UTF-8 bytes).</summary>
    public static string GreaterThan(string field, string value) => $"{field} > {Quote(value)}";

    /// <summary><c>field in ["a","b"]</c></summary>
    public static string In(string field, IEnumerable<string> values) => $"{field} in [{string.Join(",", values.Select(Quote))}]";

    /// <summary>Joins the non-empty clauses with <c>&amp;&amp;</c>; empty when there are none (no filtering).</summary>
    public static string And(params string?[] clauses) => string.Join(" && ", clauses.Where(c => !string.IsNullOrEmpty(c)));
}
