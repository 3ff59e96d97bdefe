using AspireMmRag.Crawler.Crawling;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;
using MassTransit;
using MassTransit.Testing;

namespace AspireMmRag.Crawler.Tests;

public sealed class CrawlRequestedConsumerTests : IAsyncLifetime
{
    private readonly FolderFixture _folder = new();
    private FakeMediaWikiServer _server = null!;
    private CrawlerApp _app = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeMediaWikiServer.StartAsync();
        var settings = CrawlerServices.WikiSettings(_server, _folder.Media, ("Crawler:Wikipedia:MaxRetries", "0"));
        settings["Crawler:Folders:Roots:0"] = _folder.Root;
        _app = new CrawlerApp(settings);
        _ = _app.Services; // starts the host, and with it the bus
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<CrawlRequested> PublishAsync(CrawlRequested request)
    {
        await _app.Harness.Bus.Publish(request, _app.Harness.CancellationToken);
        Assert.True(await _app.Harness.Consumed.Any<CrawlRequested>(message => message.Context.Message.RequestId == request.RequestId, _app.Harness.CancellationToken));
        return request;
    }

    private Task<DocumentCrawled[]> PublishedFor(Guid requestId) =>
        Snapshot(token => _app.Harness.Published.SelectAsync<DocumentCrawled>(message => message.Context.Message.RequestId == requestId, token)
            .Select(message => message.Context.Message));

    /// <summary>What the harness has recorded so far. Called once the request is consumed (the harness records a consume when it
    /// has finished, after its publishes), so this need not wait for the harness's inactivity timeout.</summary>
    private static async Task<T[]> Snapshot<T>(Func<CancellationToken, IAsyncEnumerable<T>> select)
    {
        using var settle = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));
        var items = new List<T>();
        try
        {
            await foreach (var item in select(settle.Token))
            {
                items.Add(item);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return [.. items];
    }

    [Fact]
    public async Task A_Wikipedia_request_publishes_one_DocumentCrawled_per_page()
    {
        var request = await PublishAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki", "No such page xyzzy"] });

        Assert.True(await _app.Harness.Published.Any<DocumentCrawled>(message => message.Context.Message.RequestId == request.RequestId, _app.Harness.CancellationToken));
        var document = Assert.Single(await PublishedFor(request.RequestId));
        Assert.Equal("wikipedia:en:Helsinki", document.DocumentId);
        Assert.Equal(7, document.Sections.Count);
        Assert.Equal(2, document.Images.Count);
        Assert.Empty(await Snapshot(token => _app.Harness.Published.SelectAsync<Fault<CrawlRequested>>(message => message.Context.Message.Message.RequestId == request.RequestId, token)));
    }

    [Fact]
    public async Task A_folder_request_publishes_the_folder_documents()
    {
        var request = await PublishAsync(new CrawlRequested { Source = DocumentSources.Folder, Folder = _folder.Root });

        Assert.True(await _app.Harness.Published.Any<DocumentCrawled>(message => message.Context.Message.RequestId == request.RequestId, _app.Harness.CancellationToken));
        var ids = (await PublishedFor(request.RequestId)).Select(document => document.DocumentId).ToArray();
        Assert.Contains("folder:docs/guide.md", ids);
        Assert.Contains("folder:docs/report.pdf", ids);
        Assert.Equal(7, ids.Length);
    }

    [Theory]
    [InlineData("rss", null)]
    [InlineData(DocumentSources.Folder, "/etc")]
    [InlineData(DocumentSources.Folder, "../outside")]
    [InlineData(DocumentSources.Wikipedia, null)]
    public async Task A_bad_request_faults_at_once_without_retries(string source, string? folder)
    {
        var request = await PublishAsync(new CrawlRequested { Source = source, Folder = folder });

        Assert.True(await _app.Harness.Published.Any<Fault<CrawlRequested>>(message => message.Context.Message.Message.RequestId == request.RequestId, _app.Harness.CancellationToken));
        var fault = (await _app.Harness.Published.SelectAsync<Fault<CrawlRequested>>(message => message.Context.Message.Message.RequestId == request.RequestId, _app.Harness.CancellationToken).FirstAsync()).Context.Message;
        Assert.Equal(typeof(InvalidCrawlRequestException).FullName, fault.Exceptions.Single().ExceptionType);
        Assert.Contains("refused", fault.Exceptions.Single().Message, StringComparison.Ordinal);

        Assert.Single(_app.LogsAbout($"Refused crawl request {request.RequestId}")); // consumed once: no retry
        Assert.Empty(await PublishedFor(request.RequestId));
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_retried_as_a_transient_failure()
    {
        _server.ThrottleNext(FakeMediaWikiServer.Throttle.Http503, count: 2); // MaxRetries 0: one attempt per delivery, two deliveries

        var request = await PublishAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki"] });

        // The first delivery gives up (transient) and is retried after 50 ms; the retry is throttled again, then the message faults.
        Assert.True(await _app.Harness.Published.Any<Fault<CrawlRequested>>(message => message.Context.Message.Message.RequestId == request.RequestId, _app.Harness.CancellationToken));
        var fault = (await _app.Harness.Published.SelectAsync<Fault<CrawlRequested>>(message => message.Context.Message.Message.RequestId == request.RequestId, _app.Harness.CancellationToken).FirstAsync()).Context.Message;
        Assert.Equal(typeof(TransientCrawlException).FullName, fault.Exceptions.Single().ExceptionType);
        Assert.Contains("Gave up", fault.Exceptions.Single().Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.RequestCount);
        Assert.Equal(2, _app.LogsAbout($"'Helsinki' (request {request.RequestId}) failed").Length); // delivered, then retried once
    }
}
