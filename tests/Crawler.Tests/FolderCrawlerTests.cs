using System.Diagnostics.Metrics;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Crawler.Folders;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Media;
using AspireMmRag.Messaging;

namespace AspireMmRag.Crawler.Tests;

public sealed class FolderCrawlerTests : IDisposable
{
    private readonly FolderFixture _folder = new();

    public void Dispose() => _folder.Dispose();

    private static async Task<(FolderCrawlResult Result, Dictionary<string, DocumentCrawled> Documents)> CrawlAsync(CrawlerServices services, string folder)
    {
        var documents = new Dictionary<string, DocumentCrawled>();
        var result = await services.Get<FolderCrawler>().CrawlAsync(folder, null, (document, _) =>
        {
            documents.Add(document.DocumentId, document);
            return Task.CompletedTask;
        }, CancellationToken.None);
        return (result, documents);
    }

    [Fact]
    public async Task A_folder_gives_one_document_per_file_with_sections_and_captioned_images()
    {
        await using var services = CrawlerServices.Create(_folder.Settings());

        var (result, documents) = await CrawlAsync(services, _folder.Root);

        Assert.Equal(
            ["folder:docs/", "folder:docs/guide.md", "folder:docs/inside-link.txt", "folder:docs/market.html", "folder:docs/notes.txt", "folder:docs/report.pdf", "folder:docs/sub/nested.md"],
            documents.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(documents.Count, result.DocumentsPublished);
        Assert.All(documents.Values, document =>
        {
            Assert.Equal(DocumentSources.Folder, document.Source);
            Assert.StartsWith("file://", document.Url, StringComparison.Ordinal);
            Assert.Equal(document.ContentHash, document.Revision); // the content, not the file time
            Assert.Equal(ContentHasher.Compute(document.Sections, document.Images), document.ContentHash);
        });

        var guide = documents["folder:docs/guide.md"];
        Assert.Equal("Helsinki guide", guide.Title);
        Assert.Equal(["Helsinki guide", "Sights", "Sights › Islands"], guide.Sections.Select(section => section.Path));
        Assert.Contains("See the city site for events.", guide.Sections[0].Text, StringComparison.Ordinal);
        Assert.Contains("# not a heading", guide.Sections[2].Text, StringComparison.Ordinal);
        var cathedral = Assert.Single(guide.Images);
        Assert.Equal("The cathedral at dusk", cathedral.Caption);
        Assert.Equal(MediaReference.For(FolderFixture.CathedralJpeg), cathedral.MediaRef);
        Assert.Equal(("image/jpeg", 64, 48), (cathedral.MimeType, cathedral.Width, cathedral.Height));
        Assert.Equal(("CC0 1.0", "Test Photographer", "Photo: Test Photographer"), (cathedral.License, cathedral.Artist, cathedral.Attribution));
        Assert.Equal("", cathedral.Section); // in the lead section

        var market = documents["folder:docs/market.html"];
        Assert.Equal("Market Square", market.Title);
        Assert.Equal(["Market Square", "Food", "Food › Opening hours"], market.Sections.Select(section => section.Path));
        Assert.Equal("The square by the harbour.", market.Sections[0].Text);
        Assert.Contains("Salmon soup and fried herring.", market.Sections[1].Text, StringComparison.Ordinal);
        Assert.Contains("Weekdays 6.30–18\nSaturdays 6.30–16", market.Sections[2].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(market.Sections, section => section.Text.Contains("script text", StringComparison.Ordinal) || section.Text.Contains("color", StringComparison.Ordinal));
        var stalls = Assert.Single(market.Images);
        Assert.Equal(("Market Square stalls", "image/png", ""), (stalls.Caption, stalls.MimeType, stalls.License));
        Assert.Equal("Food", stalls.Section);

        var notes = documents["folder:docs/notes.txt"];
        var section = Assert.Single(notes.Sections);
        Assert.Equal(("notes", "Bring a warm coat.\nThe wind from the sea is cold."), (section.Title, section.Text));
        Assert.Empty(notes.Images);

        var report = documents["folder:docs/report.pdf"];
        Assert.Equal("Harbour report", report.Title);
        Assert.Equal(["Page 1", "Page 2"], report.Sections.Select(s => s.Title));
        Assert.Contains("Ferries to Suomenlinna run all year.", report.Sections[0].Text, StringComparison.Ordinal);
        Assert.Contains("Ice breakers keep the harbour open.", report.Sections[1].Text, StringComparison.Ordinal);

        var folderImages = documents["folder:docs/"];
        Assert.Empty(folderImages.Sections);
        var harbour = Assert.Single(folderImages.Images);
        Assert.Equal(("harbour view", "image/webp", 50, 40), (harbour.Caption, harbour.MimeType, harbour.Width, harbour.Height));
        Assert.Equal("", harbour.Section);

        var nested = documents["folder:docs/sub/nested.md"];
        Assert.Equal(("nested", 2), (nested.Title, nested.Sections.Count));
        Assert.Empty(nested.Images);

        var store = services.Get<IMediaStore>();
        foreach (var image in new[] { cathedral, stalls, harbour })
        {
            Assert.True(await store.ExistsAsync(image.MediaRef, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Symlinks_that_resolve_outside_the_root_are_refused()
    {
        await using var services = CrawlerServices.Create(_folder.Settings());
        using var counters = new CounterRecorder(services.Get<IMeterFactory>());

        var (result, documents) = await CrawlAsync(services, _folder.Root);

        Assert.DoesNotContain(documents.Keys, id => id.Contains("secret", StringComparison.Ordinal) || id.Contains("outside-dir", StringComparison.Ordinal));
        Assert.DoesNotContain(documents.Values.SelectMany(document => document.Images), image => image.MediaRef == MediaReference.For(FolderFixture.SecretPng));
        Assert.Equal(["outside-dir", "secret-link.md"], result.Refusals.Where(r => r.Reason == "link-outside-root").Select(r => r.RelativePath).Order(StringComparer.Ordinal));
        Assert.Contains(result.Refusals, refusal => refusal.Message.Contains("outside the root", StringComparison.Ordinal));
        Assert.Equal(2, counters.Total("crawler.requests.refused", "reason=link-outside-root"));
    }

    [Theory]
    [InlineData("../outside", "dot-dot")]
    [InlineData("sub/../../outside", "dot-dot")]
    public async Task Dot_dot_segments_are_refused(string folder, string reason)
    {
        await using var services = CrawlerServices.Create(_folder.Settings());

        var error = await Assert.ThrowsAsync<FolderAccessRefusedException>(() => CrawlAsync(services, folder));

        Assert.Equal(reason, error.Reason);
        Assert.Contains("'..'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_outside_the_roots_is_refused_also_through_a_symlink()
    {
        await using var services = CrawlerServices.Create(_folder.Settings());

        var direct = await Assert.ThrowsAsync<FolderAccessRefusedException>(() => CrawlAsync(services, _folder.Outside));
        var viaLink = await Assert.ThrowsAsync<FolderAccessRefusedException>(() => CrawlAsync(services, Path.Combine(_folder.Root, "outside-dir")));
        var relativeLink = await Assert.ThrowsAsync<FolderAccessRefusedException>(() => CrawlAsync(services, "outside-dir"));

        Assert.All(new[] { direct, viaLink, relativeLink }, error =>
        {
            Assert.Equal("outside-roots", error.Reason);
            Assert.Contains("outside the configured roots", error.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Without_roots_no_folder_may_be_crawled()
    {
        await using var services = CrawlerServices.Create(new Dictionary<string, string?> { ["MediaStore:Directory"] = _folder.Media });

        var error = await Assert.ThrowsAsync<FolderAccessRefusedException>(() => CrawlAsync(services, _folder.Root));

        Assert.Equal("no-roots", error.Reason);
    }

    [Fact]
    public async Task A_subfolder_named_relative_to_the_root_keeps_root_relative_ids()
    {
        await using var services = CrawlerServices.Create(_folder.Settings());

        var (_, documents) = await CrawlAsync(services, "sub");

        Assert.Equal(["folder:docs/sub/nested.md"], documents.Keys);
    }
}
