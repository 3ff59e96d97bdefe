using System.Text;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Content;

/// <summary>
/// Builds a document's sections in reading order from headings and text. Text before the first heading is the lead
/// section, titled after the document (level 1). A section's <see cref="DocumentSection.Path"/> is its parents' titles and its
/// own joined with " › " (the lead's is the document title); sections without text are dropped but still name their children.
/// </summary>
public sealed class SectionOutlineBuilder(string documentTitle)
{
    public const string PathSeparator = " › ";

    private readonly List<DocumentSection> _sections = [];
    private readonly List<(int Level, string Title)> _parents = [];
    private readonly StringBuilder _text = new();
    private (int Level, string Title, string Path) _current = (1, documentTitle, documentTitle);

    public void StartSection(int level, string title)
    {
        Flush();
        while (_parents.Count > 0 && _parents[^1].Level >= level)
        {
            _parents.RemoveAt(_parents.Count - 1);
        }
        _parents.Add((level, title));
        _current = (level, title, string.Join(PathSeparator, _parents.Select(parent => parent.Title)));
    }

    public void AppendText(string text) => _text.Append(text);

    /// <summary>The placement of whatever comes at this point of the document: the current section and its parents.</summary>
    public SectionPlacement Placement()
    {
        var paths = new string[_parents.Count];
        for (var i = 0; i < _parents.Count; i++)
        {
            paths[_parents.Count - 1 - i] = string.Join(PathSeparator, _parents.Take(i + 1).Select(parent => parent.Title));
        }
        return paths.Length == 0 ? SectionPlacement.Lead : new SectionPlacement(paths);
    }

    public IReadOnlyList<DocumentSection> Build()
    {
        Flush();
        return _sections;
    }

    private void Flush()
    {
        var text = TextCleanup.Normalize(_text.ToString());
        _text.Clear();
        if (text.Length > 0)
        {
            _sections.Add(new DocumentSection { Title = _current.Title, Path = _current.Path, Level = _current.Level, Text = text });
        }
    }
}
