using System.Net;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;

namespace AspireMmRag.Crawler.Tests;

public sealed class SeedCrawlTests : IAsyncLifetime
{
    private readonly TempDirectory _media = new("crawler-media");
    private FakeMediaWikiServer _server = null!;
    private CrawlerApp _app = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeMediaWikiServer.StartAsync();
        var settings = CrawlerServices.WikiSettings(_server, _media.Path);
        _app = new CrawlerApp(settings, seedTitles: ["Helsinki"]);
        _ = _app.Services;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
        _media.Dispose();
    }

    [Fact]
    public async Task Configured_seed_titles_are_requested_once_at_start_and_crawled()
    {
        var harness = _app.Harness;

        Assert.True(await harness.Published.Any<CrawlRequested>(message => message.Context.Message.Titles.SequenceEqual(new[] { "Helsinki" }), harness.CancellationToken));
        Assert.True(await harness.Published.Any<DocumentCrawled>(message => message.Context.Message.DocumentId == "wikipedia:en:Helsinki", harness.CancellationToken));
    }

    [Fact]
    public async Task The_service_answers_its_health_endpoints()
    {
        using var client = _app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }
}
