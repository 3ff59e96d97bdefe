using System.Text;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Crawler.Folders;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using SkiaSharp;

namespace AspireMmRag.Crawler.Tests;

public sealed class ContentTests
{
    [Fact]
    public void Wiki_headings_split_an_extract_into_sections_with_parent_paths()
    {
        const string extract = "Lead text.\n\n\n== History ==\nOld.\n\n\n=== Swedish era ===\nSwedish.\n\n\n==== Fortress ====\nWalls.\n\n\n== Culture ==\nArt.\n\n\n== See also ==\n";

        var sections = WikipediaExtractParser.Parse("Helsinki", extract);

        Assert.Equal(
            [("Helsinki", "Helsinki", 1, "Lead text."), ("History", "History", 2, "Old."), ("Swedish era", "History › Swedish era", 3, "Swedish."),
             ("Fortress", "History › Swedish era › Fortress", 4, "Walls."), ("Culture", "Culture", 2, "Art.")],
            sections.Select(s => (s.Title, s.Path, s.Level, s.Text)));
    }

    [Fact]
    public void Markdown_headings_outside_code_fences_make_sections()
    {
        var markdown = "---\ntitle: \"Travel notes\"\n---\nIntro.\n\nFirst part\n==========\n\nBody one.\n\n```\n# code comment\n```\n\nSecond\n------\n\nBody two.\n\n#### Deep ####\n\nDeep text with [a link](https://example.org).\n";

        var parsed = new MarkdownDocumentReader().Read("notes.md", Encoding.UTF8.GetBytes(markdown));

        Assert.Equal("Travel notes", parsed.Title);
        Assert.Equal(["Travel notes", "First part", "First part › Second", "First part › Second › Deep"], parsed.Sections.Select(s => s.Path));
        Assert.Contains("# code comment", parsed.Sections[1].Text, StringComparison.Ordinal);
        Assert.Equal("Deep text with a link.", parsed.Sections[3].Text);
    }

    [Fact]
    public void Markdown_images_become_references_with_their_alt_text()
    {
        var parsed = new MarkdownDocumentReader().Read("a.md", "Look: ![Senate Square in snow](senate%20square.jpg) and ![](plain.png 'title')."u8.ToArray());

        Assert.Equal([new ImageReference("senate%20square.jpg", "Senate Square in snow"), new ImageReference("plain.png", "")], parsed.Images);
        Assert.Equal("Look: Senate Square in snow and .", parsed.Sections.Single().Text);
    }

    [Theory]
    [InlineData("helsinki_cathedral.jpg", "helsinki cathedral")]
    [InlineData("File:Helsinki Cathedral in July 2004.jpg", "Helsinki Cathedral in July 2004")]
    [InlineData("market-square.at.dawn.PNG", "market square at dawn")]
    [InlineData("photos/IMG_0042.webp", "IMG 0042")]
    public void File_names_become_captions(string fileName, string caption)
    {
        Assert.Equal(caption, ImageCaptions.FromFileName(fileName));
    }

    [Theory]
    [InlineData("<a href=\"//commons.wikimedia.org/wiki/User:X\">Some <b>One</b></a>", "Some One")]
    [InlineData("Tom &amp; Jerry&nbsp;&lt;3", "Tom & Jerry <3")]
    [InlineData("<div>line one</div>\n<div>line two</div><script>alert(1)</script>", "line one line two")]
    [InlineData("", "")]
    public void Html_is_stripped_from_metadata(string html, string text)
    {
        Assert.Equal(text, HtmlText.Strip(html));
    }

    [Fact]
    public void Image_formats_and_sizes_come_from_the_bytes()
    {
        Assert.Equal(new ImageFormat("image/png", 33, 22), ImageFormat.Detect(TestImages.Png(33, 22, SKColors.Red)));
        Assert.Equal(new ImageFormat("image/jpeg", 70, 35), ImageFormat.Detect(TestImages.Jpeg(70, 35, SKColors.Blue)));
        Assert.Equal(new ImageFormat("image/webp", 41, 17), ImageFormat.Detect(TestImages.WebP(41, 17, SKColors.Green)));
        Assert.Null(ImageFormat.Detect("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8));
        Assert.Null(ImageFormat.Detect("<!DOCTYPE html><html>error page</html>"u8));
    }

    [Fact]
    public void The_content_hash_changes_with_sections_and_image_references_only()
    {
        DocumentSection[] sections = [new() { Title = "A", Path = "A", Level = 1, Text = "text" }];
        DocumentImage[] images = [new() { MediaRef = new string('a', 64), SourceUrl = "https://x/1.jpg", MimeType = "image/jpeg", Caption = "c" }];

        var hash = ContentHasher.Compute(sections, images);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, ContentHasher.Compute(sections, [images[0] with { SourceUrl = "https://y/2.jpg" }]));
        Assert.NotEqual(hash, ContentHasher.Compute(sections, [images[0] with { MediaRef = new string('b', 64) }]));
        Assert.NotEqual(hash, ContentHasher.Compute(sections, [images[0] with { Section = "A" }]));
        Assert.NotEqual(hash, ContentHasher.Compute([sections[0] with { Text = "text!" }], images));
        Assert.NotEqual(hash, ContentHasher.Compute(sections, []));
    }
}
