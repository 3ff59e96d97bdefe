using System.Diagnostics.Metrics;
using AspireMmRag.Crawler.Content;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Crawler.Tests;

public sealed class WikipediaCrawlerTests : IAsyncLifetime
{
    private readonly TempDirectory _media = new("crawler-media");
    private FakeMediaWikiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeMediaWikiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _media.Dispose();
    }

    [Fact]
    public async Task Crawling_a_page_gives_its_sections_revision_and_stored_images()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));
        using var counters = new CounterRecorder(services.Get<IMeterFactory>());
        var requestId = Guid.NewGuid();

        var document = await services.Get<WikipediaCrawler>().CrawlAsync("helsinki", requestId, CancellationToken.None);

        Assert.NotNull(document);
        Assert.Equal("wikipedia:en:Helsinki", document.DocumentId);
        Assert.Equal(DocumentSources.Wikipedia, document.Source);
        Assert.Equal("Helsinki", document.Title);
        Assert.Equal("https://en.wikipedia.org/wiki/Helsinki", document.Url);
        Assert.Equal("1256789012", document.Revision);
        Assert.Equal(requestId, document.RequestId);

        Assert.Equal(
            ["Helsinki", "Etymology", "History", "History › Swedish era", "History › Russian era", "History › Russian era › Senate Square", "Geography"],
            document.Sections.Select(section => section.Path));
        Assert.Equal([1, 2, 2, 3, 3, 4, 2], document.Sections.Select(section => section.Level));
        Assert.StartsWith("Helsinki is the capital", document.Sections[0].Text);
        Assert.Equal("Swedish era", document.Sections[3].Title);
        Assert.DoesNotContain(document.Sections, section => section.Text.Contains("==", StringComparison.Ordinal));

        // Three files on the page: the svg coat of arms is skipped, the JPEG and the PNG are stored.
        Assert.Equal(2, document.Images.Count);
        var cathedral = document.Images[0];
        Assert.Equal(MediaReference.For(FakeMediaWikiServer.CathedralJpeg), cathedral.MediaRef);
        Assert.Equal("image/jpeg", cathedral.MimeType);
        Assert.Equal((160, 120), (cathedral.Width, cathedral.Height));
        Assert.Equal(new Uri(_server.BaseUri, "images/thumb/Helsinki_Cathedral_in_July_2004.jpg").AbsoluteUri, cathedral.SourceUrl);
        Assert.Equal("Helsinki Cathedral seen from Senate Square & the harbour.", cathedral.Caption);
        Assert.Equal("CC BY-SA 3.0", cathedral.License);
        Assert.Equal("Example Photographer", cathedral.Artist);
        Assert.Equal("Photo by Example Photographer, CC BY-SA 3.0", cathedral.Attribution);
        Assert.Equal("https://commons.wikimedia.org/wiki/File:Helsinki_Cathedral_in_July_2004.jpg", cathedral.DescriptionUrl);
        Assert.Equal("History › Russian era › Senate Square", cathedral.Section);

        var fortress = document.Images[1];
        Assert.Equal("image/png", fortress.MimeType);
        Assert.Equal("English: Aerial view of the Suomenlinna sea fortress", fortress.Caption);
        Assert.Equal("Jane Doe", fortress.Artist);
        Assert.Equal("CC BY 4.0", fortress.License);
        Assert.Equal("History › Swedish era", fortress.Section); // a gallery line, underscores for spaces

        var store = services.Get<IMediaStore>();
        Assert.Equal(FakeMediaWikiServer.CathedralJpeg, await store.GetAsync(cathedral.MediaRef, CancellationToken.None));
        Assert.Equal(FakeMediaWikiServer.SuomenlinnaPng, await store.GetAsync(fortress.MediaRef, CancellationToken.None));
        Assert.DoesNotContain(_server.ImagePaths, path => path.Contains("Coat_of_arms", StringComparison.Ordinal));

        Assert.Equal(ContentHasher.Compute(document.Sections, document.Images), document.ContentHash);
        Assert.Equal(2, counters.Total("crawler.images.stored"));
        Assert.Equal(1, counters.Total("crawler.images.skipped", "reason=svg"));
    }

    [Fact]
    public async Task Every_api_call_carries_maxlag_formatversion_2_and_the_user_agent()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        await services.Get<WikipediaCrawler>().CrawlAsync("Helsinki", null, CancellationToken.None);

        Assert.Equal(2, _server.ApiQueries.Count);
        Assert.All(_server.ApiQueries, query =>
        {
            Assert.Contains("maxlag=5", query, StringComparison.Ordinal);
            Assert.Contains("format=json", query, StringComparison.Ordinal);
            Assert.Contains("formatversion=2", query, StringComparison.Ordinal);
        });
        Assert.Contains(_server.ApiQueries, query => query.Contains("explaintext=1", StringComparison.Ordinal) && query.Contains("exsectionformat=wiki", StringComparison.Ordinal)
            && query.Contains("rvprop=ids%7Ctimestamp%7Ccontent", StringComparison.Ordinal) && query.Contains("rvslots=main", StringComparison.Ordinal));
        Assert.Contains(_server.ApiQueries, query => query.Contains("generator=images", StringComparison.Ordinal) && query.Contains("iiurlwidth=800", StringComparison.Ordinal));
        Assert.All(_server.UserAgents, agent => Assert.Equal(CrawlerServices.TestUserAgent, agent));
    }

    [Fact]
    public async Task A_missing_page_gives_no_document_and_a_warning()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var document = await services.Get<WikipediaCrawler>().CrawlAsync("No such page xyzzy", null, CancellationToken.None);

        Assert.Null(document);
        Assert.Contains(services.Logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("No such page xyzzy", StringComparison.Ordinal));
        Assert.Empty(_server.ImagePaths);
    }

    [Fact]
    public async Task MaxImagesPerPage_is_respected()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path, ("Crawler:Wikipedia:MaxImagesPerPage", "1")));
        using var counters = new CounterRecorder(services.Get<IMeterFactory>());

        var document = await services.Get<WikipediaCrawler>().CrawlAsync("Helsinki", null, CancellationToken.None);

        Assert.NotNull(document);
        var image = Assert.Single(document.Images);
        Assert.Equal(MediaReference.For(FakeMediaWikiServer.CathedralJpeg), image.MediaRef);
        Assert.Single(_server.ImagePaths);
        Assert.Equal(1, counters.Total("crawler.images.skipped", "reason=limit"));
    }

    [Fact]
    public async Task Requests_are_sent_one_at_a_time_even_for_concurrent_crawls()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));
        var crawler = services.Get<WikipediaCrawler>();

        var documents = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => crawler.CrawlAsync("Helsinki", null, CancellationToken.None)));

        Assert.All(documents, document => Assert.Equal(2, document!.Images.Count));
        Assert.Equal(3 * 4, _server.RequestCount); // 2 API calls + 2 image downloads per crawl
        Assert.Equal(1, _server.MaxInFlight);
    }
}
