using System.Diagnostics.Metrics;
using AspireMmRag.Crawler.Safety;
using AspireMmRag.Crawler.Wikipedia;
using AspireMmRag.TestModels;

namespace AspireMmRag.Crawler.Tests;

public sealed class GuardedHttpClientTests : IAsyncLifetime
{
    private readonly TempDirectory _media = new("crawler-media");
    private FakeMediaWikiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeMediaWikiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _media.Dispose();
    }

    private Task<HttpFetchResponse> GetAsync(CrawlerServices services, string url, long maxBytes = 1024 * 1024, double timeoutSeconds = 5) =>
        services.Get<GuardedHttpClient>().GetAsync(
            new HttpFetchRequest(new Uri(url), maxBytes, TimeSpan.FromSeconds(timeoutSeconds), CrawlerServices.TestUserAgent), CancellationToken.None);

    private Uri At(string path) => new(_server.BaseUri, path);

    [Fact]
    public async Task Loopback_is_refused_after_DNS_unless_explicitly_allowed_and_the_crawl_fails()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path, ("Crawler:Safety:AllowedPrivateNetworks:0", null)));
        using var counters = new CounterRecorder(services.Get<IMeterFactory>());

        var direct = await Assert.ThrowsAsync<RequestRefusedException>(() => GetAsync(services, At("ok").AbsoluteUri));
        var crawl = await Assert.ThrowsAsync<RequestRefusedException>(() => services.Get<WikipediaCrawler>().CrawlAsync("Helsinki", null, CancellationToken.None));

        Assert.Equal("address", direct.Reason);
        Assert.Contains("127.0.0.1 is loopback", direct.Message, StringComparison.Ordinal);
        Assert.Contains("AllowedPrivateNetworks", crawl.Message, StringComparison.Ordinal);
        Assert.Equal(0, _server.RequestCount);
        Assert.Equal(2, counters.Total("crawler.requests.refused", "reason=address"));
    }

    [Fact]
    public async Task An_allowed_host_name_that_resolves_to_loopback_is_refused()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path,
            ("Crawler:Safety:AllowedHosts:0", "localhost"), ("Crawler:Safety:AllowedPrivateNetworks:0", null)));

        var error = await Assert.ThrowsAsync<RequestRefusedException>(() => GetAsync(services, $"http://localhost:{_server.BaseUri.Port}/ok"));

        Assert.Equal("address", error.Reason);
        Assert.Equal(0, _server.RequestCount);
    }

    [Fact]
    public async Task With_the_range_allowed_the_request_goes_through()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var response = await GetAsync(services, At("ok").AbsoluteUri);

        Assert.True(response.IsSuccess);
        Assert.Equal("done", System.Text.Encoding.UTF8.GetString(response.Body));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/file")]
    [InlineData("file:///etc/passwd")]
    public async Task Other_schemes_are_refused_before_connecting(string url)
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var error = await Assert.ThrowsAsync<RequestRefusedException>(() => GetAsync(services, url));

        Assert.Equal("scheme", error.Reason);
    }

    [Fact]
    public async Task A_host_not_on_the_allowlist_is_refused()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var error = await Assert.ThrowsAsync<RequestRefusedException>(() => GetAsync(services, "https://en.wikipedia.org/w/api.php"));

        Assert.Equal("host", error.Reason);
        Assert.Contains("Crawler:Safety:AllowedHosts", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redirect-out", "host")]
    [InlineData("redirect-to-metadata", "host")]
    public async Task A_redirect_to_a_disallowed_host_is_refused(string path, string reason)
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var error = await Assert.ThrowsAsync<RequestRefusedException>(() => GetAsync(services, At(path).AbsoluteUri));

        Assert.Equal(reason, error.Reason);
        Assert.StartsWith("Redirect from", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task Redirects_within_the_allowlist_are_followed_up_to_the_limit()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var followed = await GetAsync(services, At("redirect-chain/3").AbsoluteUri);
        var error = await Assert.ThrowsAsync<RequestRefusedException>(() => GetAsync(services, At("redirect-chain/9").AbsoluteUri));

        Assert.Equal(At("ok"), followed.Uri);
        Assert.Equal("done", System.Text.Encoding.UTF8.GetString(followed.Body));
        Assert.Equal("redirects", error.Reason);
    }

    [Theory]
    [InlineData("big")]
    [InlineData("big-declared")]
    public async Task An_oversized_response_is_cut_off_with_an_error(string path)
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var error = await Assert.ThrowsAsync<ResponseTooLargeException>(() => GetAsync(services, At(path).AbsoluteUri, maxBytes: 64 * 1024));

        Assert.Equal(64 * 1024, error.Limit);
        Assert.Contains("larger than the 65,536-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_response_times_out()
    {
        await using var services = CrawlerServices.Create(CrawlerServices.WikiSettings(_server, _media.Path));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => GetAsync(services, At("slow").AbsoluteUri, timeoutSeconds: 0.3));

        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }
}
