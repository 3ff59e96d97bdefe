using System.Text;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Crawler.Folders;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.Messaging;
using SkiaSharp;

namespace AspireMmRag.Crawler.Tests;

/// <summary><see cref="DocumentImage.Section"/>: the path of the section an image appears in, for folder documents and Wikipedia pages.</summary>
public sealed class ImageSectionTests : IDisposable
{
    private readonly TempDirectory _temp = new("crawler-image-sections");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Markdown_images_get_the_path_of_the_section_they_appear_in()
    {
        const string markdown = """
            # Guide

            ![Lead picture](lead.png)

            ## Sights

            ### Islands

            Ferries leave from the harbour. ![The fortress](fortress.png)

            ## ![Logo](logo.png) Shops

            Design shops.

            Setext heading ![Tram](tram.png)
            --------------

            Trams run all night.
            """;

        var parsed = new MarkdownDocumentReader().Read("guide.md", Encoding.UTF8.GetBytes(markdown));

        Assert.Equal(["Guide", "Sights › Islands", "Logo Shops", "Setext heading Tram"], parsed.Sections.Select(section => section.Path));
        Assert.Equal(
            [("lead.png", ""), ("fortress.png", "Sights › Islands"), ("logo.png", "Logo Shops"), ("tram.png", "Setext heading Tram")],
            parsed.Images.Select(image => (image.Source, image.Section)));
    }

    [Fact]
    public void Html_images_get_the_path_of_the_section_they_appear_in_or_of_its_nearest_parent_with_text()
    {
        const string html = """
            <html><head><title>Market</title></head><body>
              <p>Intro.</p><img src="lead.png" alt="lead">
              <h2>Food</h2>
              <p>Soup.</p>
              <h3>Opening hours</h3>
              <figure><img src="hours.png"><figcaption>The clock</figcaption></figure>
              <h3>Gallery</h3>
              <img src="gallery.png" alt="stalls">
              <h2>Pictures</h2>
              <img src="orphan.png" alt="orphan">
            </body></html>
            """;

        var parsed = new HtmlDocumentReader().Read("market.html", Encoding.UTF8.GetBytes(html));

        Assert.Equal(["Market", "Food", "Food › Opening hours"], parsed.Sections.Select(section => section.Path));
        Assert.Equal(
            [("lead.png", ""), ("hours.png", "Food › Opening hours"), ("gallery.png", "Food"), ("orphan.png", "")],
            parsed.Images.Select(image => (image.Source, image.Section)));
    }

    [Fact]
    public async Task The_folder_crawler_publishes_the_section_of_each_referenced_image()
    {
        var root = _temp.Combine("docs");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "guide.md"), "# Guide\n\n![Cover](cover.png)\n\n## Sights\n\n### Islands\n\nFerries. ![The fortress](fortress.png)\n");
        File.WriteAllText(Path.Combine(root, "market.html"), "<html><body><h1>Market</h1><p>Intro.</p><h2>Food</h2><h3>Opening hours</h3><p>Six to six.</p><img src=\"clock.png\" alt=\"Clock\"></body></html>");
        File.WriteAllBytes(Path.Combine(root, "cover.png"), TestImages.Png(30, 20, SKColors.Red));
        File.WriteAllBytes(Path.Combine(root, "fortress.png"), TestImages.Png(30, 20, SKColors.Green));
        File.WriteAllBytes(Path.Combine(root, "clock.png"), TestImages.Png(30, 20, SKColors.Blue));
        await using var services = CrawlerServices.Create(new Dictionary<string, string?>
        {
            ["Crawler:Folders:Roots:0"] = root,
            ["MediaStore:Directory"] = _temp.Combine("media"),
        });
        var documents = new Dictionary<string, DocumentCrawled>();

        await services.Get<FolderCrawler>().CrawlAsync(root, null, (document, _) =>
        {
            documents.Add(document.DocumentId, document);
            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal([("Cover", ""), ("The fortress", "Sights › Islands")], documents["folder:docs/guide.md"].Images.Select(image => (image.Caption, image.Section)));
        Assert.Equal([("Clock", "Food › Opening hours")], documents["folder:docs/market.html"].Images.Select(image => (image.Caption, image.Section)));
        Assert.All(documents.Values, document => Assert.Equal(ContentHasher.Compute(document.Sections, document.Images), document.ContentHash));
    }

    [Fact]
    public void Wikitext_places_each_file_under_its_heading_and_leaves_the_lead_and_unknown_files_empty()
    {
        const string extract = "Lead.\n\n\n== History ==\nOld.\n\n\n=== Swedish era ===\nSwedish.\n\n\n== Gallery ==\n\n\n== Sights ==\nChurches.\n";
        const string wikitext = """
            {{Infobox settlement
            | image_skyline = Helsinki skyline.jpg
            }}
            Lead.

            == History ==
            Old.

            === ''[[Swedish Empire|Swedish]]'' era<ref name="a" /> ===
            [[Image:Old_town__square.jpg|thumb|Square]]
            {{Multiple image | image1 = Fortress.png | image2 = Old Helsinki.jpg }}

            == Gallery<!-- pictures --> ==
            <gallery mode="packed">File:Harbour.jpg|The harbour</gallery>

            == Sights ==
            [[File:helsinki.jpg|The church]] [[File:Market Helsinki.jpg]]
            """;
        var sections = WikipediaExtractParser.Parse("Helsinki", extract);

        var placed = WikitextImageSections.Find("Helsinki", wikitext,
            ["File:Helsinki skyline.jpg", "File:Old town square.jpg", "File:Fortress.png", "File:Harbour.jpg", "File:Helsinki.jpg", "File:Missing.jpg"], sections);

        Assert.Equal(new Dictionary<string, string>
        {
            ["File:Helsinki skyline.jpg"] = "",
            ["File:Old town square.jpg"] = "History › Swedish era",
            ["File:Fortress.png"] = "History › Swedish era",
            ["File:Harbour.jpg"] = "",
            ["File:Helsinki.jpg"] = "Sights",
            ["File:Missing.jpg"] = "",
        }, placed);
    }

    [Theory]
    [InlineData("[[Swedish Empire|Swedish]] era<ref>{{cite book|title=x}}</ref>", "Swedish era")]
    [InlineData("{{anchor|Senate}}Senate Square", "Senate Square")]
    [InlineData("'''Bold''' and ''italic'' <span id=\"x\">tag</span> &amp; [https://example.org link]", "Bold and italic tag & link")]
    [InlineData("Culture", "Culture")]
    public void Wikitext_headings_lose_their_markup(string heading, string title)
    {
        Assert.Equal(title, WikitextImageSections.HeadingText(heading));
    }
}
