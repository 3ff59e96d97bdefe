using System.Text.RegularExpressions;

namespace AspireMmRag.Benchmarks;

/// <summary>
/// The sections of docs/benchmarks.md: each bench app owns the text between <c>&lt;!-- bench:id --&gt;</c> and
/// <c>&lt;!-- /bench:id --&gt;</c>, and leaves the rest of the document alone.
/// </summary>
public static class BenchmarksDocument
{
    /// <summary>The first line of a document that does not exist yet, unless the caller gives its own.</summary>
    public const string DefaultHeader = "# Benchmarks\n";

    public static string SectionStart(string id) => $"<!-- bench:{id} -->";

    public static string SectionEnd(string id) => $"<!-- /bench:{id} -->";

    /// <summary>The document's text, or <paramref name="header"/> when it does not exist yet.</summary>
    public static string Read(string path, string header = DefaultHeader) => File.Exists(path) ? File.ReadAllText(path) : header;

    /// <summary>Where the markers of section <paramref name="id"/> start (start marker, end marker), or null when it has none (or they are out of order).</summary>
    public static (int Start, int End)? FindSection(string text, string id)
    {
        var start = text.IndexOf(SectionStart(id), StringComparison.Ordinal);
        var end = text.IndexOf(SectionEnd(id), StringComparison.Ordinal);
        return start < 0 || end < start ? null : (start, end);
    }

    /// <summary>
    /// Replaces the whole marked section (markers included, and one newline after the end marker) with
    /// <paramref name="markdown"/>, or appends it after a blank line when the document has none yet.
    /// </summary>
    public static string ReplaceSection(string document, string id, string markdown)
    {
        var pattern = new Regex($@"{Regex.Escape(SectionStart(id))}.*?{Regex.Escape(SectionEnd(id))}\n?", RegexOptions.Singleline);
        if (pattern.IsMatch(document))
        {
            return pattern.Replace(document, markdown.Replace("$", "$$", StringComparison.Ordinal), 1);
        }
        return document.TrimEnd('\n') + "\n\n" + markdown;
    }
}
