using AspireMmRag.Crawler.Messaging;
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

    private Task<CrawlFailed[]> FailuresFor(Guid requestId) =>
        Snapshot(token => _app.Harness.Published.SelectAsync<CrawlFailed>(message => message.Context.Message.RequestId == requestId, token)
            .Select(message => message.Context.Message));

    private async Task<CrawlCompleted> CompletionFor(Guid requestId)
    {
        Assert.True(await _app.Harness.Published.Any<CrawlCompleted>(message => message.Context.Message.RequestId == requestId, _app.Harness.CancellationToken));
        return Assert.Single(await Snapshot(token => _app.Harness.Published.SelectAsync<CrawlCompleted>(message => message.Context.Message.RequestId == requestId, token)
            .Select(message => message.Context.Message)));
    }

    private Task<Fault<CrawlRequested>[]> FaultsFor(Guid requestId) =>
        Snapshot(token => _app.Harness.Published.SelectAsync<Fault<CrawlRequested>>(message => message.Context.Message.Message.RequestId == requestId, token)
            .Select(message => message.Context.Message));

    [Fact]
    public async Task A_Wikipedia_request_publishes_one_DocumentCrawled_per_page_and_a_failure_per_missing_page()
    {
        var request = await PublishAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki", "No such page xyzzy"] });

        var completed = await CompletionFor(request.RequestId);
        var document = Assert.Single(await PublishedFor(request.RequestId));
        Assert.Equal("wikipedia:en:Helsinki", document.DocumentId);
        Assert.Equal(7, document.Sections.Count);
        Assert.Equal(2, document.Images.Count);
        var failure = Assert.Single(await FailuresFor(request.RequestId));
        Assert.Equal(("No such page xyzzy", "wikipedia:en:No_such_page_xyzzy", CrawlFailureKinds.NotFound), (failure.Target, failure.DocumentId, failure.Kind));
        Assert.Equal(["wikipedia:en:Helsinki"], completed.Documents.Select(listed => listed.DocumentId));
        Assert.Equal(1, completed.Failed);
        Assert.Empty(await FaultsFor(request.RequestId));
    }

    [Fact]
    public async Task A_folder_request_publishes_the_folder_documents_and_the_links_it_refused()
    {
        var request = await PublishAsync(new CrawlRequested { Source = DocumentSources.Folder, Folder = _folder.Root });

        var completed = await CompletionFor(request.RequestId);
        var ids = (await PublishedFor(request.RequestId)).Select(document => document.DocumentId).ToArray();
        Assert.Contains("folder:docs/guide.md", ids);
        Assert.Contains("folder:docs/report.pdf", ids);
        Assert.Equal(7, ids.Length);
        Assert.Equal(ids.Order(StringComparer.Ordinal), completed.Documents.Select(listed => listed.DocumentId).Order(StringComparer.Ordinal));
        var failures = await FailuresFor(request.RequestId);
        Assert.Equal(["outside-dir", "secret-link.md"], failures.Select(failure => failure.Target).Order(StringComparer.Ordinal));
        Assert.All(failures, failure => Assert.Equal((CrawlFailureKinds.Refused, null), (failure.Kind, failure.DocumentId)));
        Assert.Equal(2, completed.Failed);
    }

    [Theory]
    [InlineData("rss", null, CrawlFailureKinds.Invalid)]
    [InlineData(DocumentSources.Folder, "/etc", CrawlFailureKinds.Refused)]
    [InlineData(DocumentSources.Folder, "../outside", CrawlFailureKinds.Refused)]
    [InlineData(DocumentSources.Folder, "missing", CrawlFailureKinds.NotFound)]
    [InlineData(DocumentSources.Wikipedia, null, CrawlFailureKinds.Invalid)]
    public async Task A_bad_request_is_answered_with_one_failure_and_the_completion_without_retries_or_fault(string source, string? folder, string kind)
    {
        var request = await PublishAsync(new CrawlRequested { Source = source, Folder = folder });

        var completed = await CompletionFor(request.RequestId);
        var failure = Assert.Single(await FailuresFor(request.RequestId));
        Assert.Equal((kind, folder ?? $"crawl request {request.RequestId}"), (failure.Kind, failure.Target));
        Assert.Equal((1, 0), (completed.Failed, completed.Documents.Count));
        Assert.Single(_app.LogsAbout($"Refused crawl request {request.RequestId}")); // consumed once: no retry
        Assert.Empty(await PublishedFor(request.RequestId));
        Assert.Empty(await FaultsFor(request.RequestId));
    }

    [Fact]
    public async Task Too_many_or_malformed_titles_are_invalid()
    {
        var tooMany = await PublishAsync(new CrawlRequested
        {
            Source = DocumentSources.Wikipedia,
            Titles = [.. Enumerable.Range(1, WikipediaRequestHandler.MaxTitlesPerRequest + 1).Select(i => $"Page {i}")],
        });
        var malformed = await PublishAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki", "A|B"] });

        Assert.Contains("at most 50 titles", Assert.Single(await FailuresFor(tooMany.RequestId)).Reason, StringComparison.Ordinal);
        var bad = Assert.Single(await FailuresFor(malformed.RequestId));
        Assert.Equal(("A|B", CrawlFailureKinds.Invalid), (bad.Target, bad.Kind));
        Assert.Empty(await PublishedFor(malformed.RequestId)); // nothing crawled: the request as a whole is refused
        Assert.Equal(1, (await CompletionFor(malformed.RequestId)).Failed);
        Assert.Equal(0, _server.RequestCount);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_reported_unreachable_on_the_last_delivery()
    {
        _server.ThrottleNext(FakeMediaWikiServer.Throttle.Http503, count: 2); // MaxRetries 0: one attempt per delivery, two deliveries

        var request = await PublishAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki"] });

        // The first delivery gives up (transient) and is retried after 50 ms; the retry is throttled again and reports it.
        var completed = await CompletionFor(request.RequestId);
        var failure = Assert.Single(await FailuresFor(request.RequestId));
        Assert.Equal(("Helsinki", CrawlFailureKinds.Unreachable), (failure.Target, failure.Kind));
        Assert.Contains("unreachable after 2 attempts", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("Gave up", failure.Reason, StringComparison.Ordinal);
        Assert.Equal((1, 0), (completed.Failed, completed.Documents.Count));
        Assert.Equal(2, _server.RequestCount);
        Assert.Equal(2, _app.LogsAbout($"'Helsinki' (request {request.RequestId}) failed").Length); // delivered, then retried once
        Assert.Empty(await FaultsFor(request.RequestId));
    }
}
