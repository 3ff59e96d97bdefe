using System.Diagnostics;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.TestModels;

namespace AspireMmRag.Crawler.Tests;

public sealed class WikipediaBackoffTests : IAsyncLifetime
{
    private readonly TempDirectory _media = new("crawler-media");
    private FakeMediaWikiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeMediaWikiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _media.Dispose();
    }

    [Theory]
    [InlineData(FakeMediaWikiServer.Throttle.Http429)]
    [InlineData(FakeMediaWikiServer.Throttle.Maxlag)]
    public async Task A_throttled_call_waits_for_Retry_After_and_then_succeeds(FakeMediaWikiServer.Throttle throttle)
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));
        _server.ThrottleNext(throttle);
        var watch = Stopwatch.StartNew();

        var document = await services.Get<WikipediaCrawler>().CrawlAsync("Helsinki", null, CancellationToken.None);

        Assert.NotNull(document);
        Assert.Equal(2, document.Images.Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {watch.Elapsed.TotalSeconds:0.00} s, before Retry-After");
        Assert.Equal(5, _server.RequestCount); // the throttled call, its retry, the image list and two images
    }

    [Theory]
    [InlineData(FakeMediaWikiServer.Throttle.Http429, "http-429")]
    [InlineData(FakeMediaWikiServer.Throttle.RateLimited, "ratelimited")]
    public async Task Repeated_throttling_gives_up_with_a_clear_error(FakeMediaWikiServer.Throttle throttle, string reason)
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path, ("Crawler:Wikipedia:MaxRetries", "1")));
        _server.ThrottleNext(throttle, count: 10);

        var error = await Assert.ThrowsAsync<WikipediaThrottledException>(() => services.Get<WikipediaCrawler>().CrawlAsync("Helsinki", null, CancellationToken.None));

        Assert.Contains("Gave up", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 2 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.RequestCount);
    }
}
