using System.Text.Json;
using System.Text.Json.Serialization;
using AspireMmRag.Messaging;

namespace AspireMmRag.Gateway.Tests.Hybrid;

/// <summary>The kinds of labelled question (the <c>kind</c> of each entry in questions.json).</summary>
public static class QueryKinds
{
    /// <summary>Says what the document says in other words: no rare name, term or date of the document.</summary>
    public const string Paraphrase = "paraphrase";

    /// <summary>Hinges on a single rare name, term or date of the document.</summary>
    public const string Keyword = "keyword";

    /// <summary>Its common words also appear in the sibling documents of the same cluster.</summary>
    public const string Sibling = "sibling";

    public static IReadOnlyList<string> All { get; } = [Paraphrase, Keyword, Sibling];
}

/// <summary>
/// The hybrid-retrieval labelled set in tests/RetrievalSet: Wikipedia-style articles (markdown, one <c># Title</c>, a lead and
/// <c>## Sections</c>) in clusters of look-alike topics (documents/&lt;cluster&gt;/&lt;slug&gt;.md), and questions each labelled
/// with the one document that answers it and the kind of question (questions.json).
/// </summary>
public sealed class LabelledSet
{
    public const string Source = "retrieval-set";

    public sealed record Document(string Cluster, string Slug, string Title, IReadOnlyList<DocumentSection> Sections)
    {
        public string Id => $"{Source}:{Cluster}/{Slug}";
        public int Words => Sections.Sum(s => s.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
    }

    public sealed record Question(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("document")] string Document,
        [property: JsonPropertyName("question")] string Text);

    private sealed record QuestionFile([property: JsonPropertyName("questions")] IReadOnlyList<Question> Questions);

    private LabelledSet(string directory, IReadOnlyList<Document> documents, IReadOnlyList<Question> questions)
    {
        Directory = directory;
        Documents = documents;
        Questions = questions;
    }

    public string Directory { get; }
    public IReadOnlyList<Document> Documents { get; }
    public IReadOnlyList<Question> Questions { get; }

    /// <summary>The document id a question is labelled with.</summary>
    public string DocumentIdOf(Question question) => Documents.Single(d => d.Slug == question.Document).Id;

    /// <summary>The set's folder: <c>RetrievalSet</c> beside the binaries when it was copied there, else tests/RetrievalSet in the
    /// repository at <paramref name="repositoryRoot"/>. Missing is an error, never an empty set.</summary>
    public static string Locate(string? repositoryRoot)
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "RetrievalSet") };
        if (repositoryRoot is not null)
        {
            candidates.Add(Path.Combine(repositoryRoot, "tests", "RetrievalSet"));
        }
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "questions.json"))) ?? throw new DirectoryNotFoundException(
            $"The labelled retrieval set (questions.json and documents/) was not found in {string.Join(" or ", candidates)}.");
    }

    public static LabelledSet Load(string directory)
    {
        var documents = System.IO.Directory.GetFiles(Path.Combine(directory, "documents"), "*.md", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => Parse(Path.GetFileName(Path.GetDirectoryName(path)!), Path.GetFileNameWithoutExtension(path), File.ReadAllText(path)))
            .ToList();
        var file = JsonSerializer.Deserialize<QuestionFile>(File.ReadAllText(Path.Combine(directory, "questions.json")))
                   ?? throw new InvalidDataException("questions.json is empty.");
        var slugs = documents.Select(d => d.Slug).ToHashSet(StringComparer.Ordinal);
        foreach (var question in file.Questions)
        {
            if (!slugs.Contains(question.Document) || !QueryKinds.All.Contains(question.Kind))
            {
                throw new InvalidDataException($"{question.Id}: unknown document '{question.Document}' or kind '{question.Kind}'.");
            }
        }
        if (documents.Select(d => d.Slug).Distinct().Count() != documents.Count)
        {
            throw new InvalidDataException("Two documents have the same file name.");
        }
        return new LabelledSet(directory, documents, file.Questions);
    }

    /// <summary>A markdown article: the <c># Title</c> line, the lead (its section path is the title, as the crawler does),
    /// then one section per <c>## Heading</c>.</summary>
    private static Document Parse(string cluster, string slug, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var title = lines.FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim()
                    ?? throw new InvalidDataException($"{cluster}/{slug}.md has no '# Title' line.");
        var sections = new List<DocumentSection>();
        var heading = title;
        var text = new List<string>();
        void Flush()
        {
            var body = string.Join('\n', text).Trim();
            if (body.Length > 0)
            {
                sections.Add(new DocumentSection { Title = heading, Path = heading, Level = heading == title ? 1 : 2, Text = body });
            }
            text.Clear();
        }
        foreach (var line in lines.SkipWhile(l => !l.StartsWith("# ", StringComparison.Ordinal)).Skip(1))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                heading = line[3..].Trim();
            }
            else
            {
                text.Add(line);
            }
        }
        Flush();
        return new Document(cluster, slug, title, sections);
    }
}
