using System.Text;
using AspireMmRag.TestModels;

namespace AspireMmRag.Gateway.Tests.Ingestion;

/// <summary>
/// A small folder of Markdown documents for one test, under the <c>docs</c> root in a sub-folder named by a tag of its own:
/// a harbour guide with an image (and a licence sidecar), a market page and a church page, plus, when asked, a few more
/// district pages. Every title starts with the tag, so a test finds its own documents with the title filter.
/// </summary>
public sealed class FolderCorpus
{
    public const string ImageCaption = "A blue ferry crossing the harbour to the sea fortress";
    public const string ImageLicense = "CC0 1.0";
    public const string ImageAttribution = "Photo: Test Photographer";

    private static readonly string[] Districts = ["Kallio", "Töölö", "Kruununhaka", "Punavuori", "Katajanokka", "Vallila", "Eira", "Kamppi"];

    private FolderCorpus(string tag, IReadOnlyList<(string File, string Title)> documents)
    {
        Tag = tag;
        Documents = documents;
    }

    /// <summary>Mixed case (e.g. <c>RunXqzkvb</c>), so the title filter's case-insensitivity shows.</summary>
    public string Tag { get; }

    /// <summary>The folder to ask for: <c>docs/{tag}</c>.</summary>
    public string Folder => $"docs/{Tag}";

    public IReadOnlyList<(string File, string Title)> Documents { get; }
    public IReadOnlyList<string> DocumentIds => Documents.Select(d => DocumentId(d.File)).ToArray();
    public string HarbourId => DocumentId("harbour.md");

    public string DocumentId(string file) => $"folder:{Folder}/{file}";

    /// <param name="extraDistricts">More documents (a few paragraphs each) for a job that lasts a little longer.</param>
    public static FolderCorpus Write(string docsRoot, int extraDistricts = 0)
    {
        var tag = "Run" + string.Concat(Enumerable.Range(0, 6).Select(_ => (char)('a' + Random.Shared.Next(26))));
        var folder = Directory.CreateDirectory(Path.Combine(docsRoot, tag)).FullName;
        var documents = new List<(string, string)>();
        void Write(string file, string title, string body)
        {
            File.WriteAllText(Path.Combine(folder, file), $"# {title}\n\n{body}");
            documents.Add((file, title));
        }

        Write("harbour.md", $"{tag} harbour ferries", $"""
            Ferries leave the South Harbour for the Suomenlinna sea fortress every twenty minutes in summer; the crossing takes about fifteen minutes.

            ![{ImageCaption}](ferry.png)

            ## Timetable

            In winter the ferries run every forty minutes, and the last boat back to the city leaves shortly after midnight.
            """);
        File.WriteAllBytes(Path.Combine(folder, "ferry.png"), TestImages.SolidPng(0, 0, 255, 96, 96));
        File.WriteAllText(Path.Combine(folder, "ferry.png.json"),
            $$"""{ "license": "{{ImageLicense}}", "artist": "Test Photographer", "attribution": "{{ImageAttribution}}" }""");
        Write("market.md", $"{tag} market square", """
            The Market Square by the South Harbour is the city's best known open-air market. Stalls sell fresh fish, berries, vegetables and handicrafts.

            ## Old Market Hall

            Next to the square, the Old Market Hall from 1889 houses delicatessens selling cheese, reindeer meat and pastries.
            """);
        Write("church.md", $"{tag} rock church", """
            Temppeliaukio Church is a Lutheran church carved directly into solid rock. Daylight enters through a ring of skylights under its copper dome.
            """);
        for (var i = 0; i < extraDistricts; i++)
        {
            var district = Districts[i % Districts.Length];
            var body = new StringBuilder();
            for (var section = 1; section <= 4; section++)
            {
                body.Append($"## Walk {section}\n\n");
                body.Append($"The {district} district walk number {section} passes old stone houses, small parks, cafés and a tram stop. ");
                body.Append("Guides tell the story of the buildings, the people who lived there and the shops that opened and closed over a century.\n\n");
            }
            Write($"district-{i + 1}.md", $"{tag} district {district} {i + 1}", body.ToString());
        }
        return new FolderCorpus(tag, documents);
    }
}
