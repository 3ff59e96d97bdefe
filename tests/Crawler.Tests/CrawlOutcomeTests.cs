using System.Text;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;

namespace AspireMmRag.Crawler.Tests;

/// <summary>
/// The crawler on a real rabbitmq-server, watched by a <see cref="CrawlEventRecorder"/> on one queue bound to
/// <see cref="DocumentCrawled"/>, <see cref="CrawlFailed"/> and <see cref="CrawlCompleted"/>: every request gets its outcome,
/// correlated by request id, with <see cref="CrawlCompleted"/> last.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class CrawlOutcomeTests(RabbitMqBrokerFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp = new("crawler-outcomes");
    private readonly CancellationTokenSource _cancellation = new(TimeSpan.FromSeconds(120));
    private FakeMediaWikiServer _server = null!;
    private CrawlEventRecorder _recorder = null!;
    private CrawlerApp _crawler = null!;

    private string Library => _temp.Combine("library");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Library);
        File.WriteAllText(Path.Combine(Library, "harbour.md"), "# The harbour\n\nFerries leave the South Harbour for Suomenlinna.\n", Encoding.UTF8);
        File.WriteAllText(Path.Combine(Library, "churches.txt"), "Temppeliaukio Church is carved into solid rock.", Encoding.UTF8);
        File.WriteAllBytes(Path.Combine(Library, "broken.pdf"), Encoding.ASCII.GetBytes("%PDF-1.7 this is no PDF at all"));

        _server = await FakeMediaWikiServer.StartAsync();
        var messaging = await fixture.Broker.CreateVirtualHostAsync($"crawler-outcomes-{Guid.NewGuid():N}");
        _recorder = await CrawlEventRecorder.StartAsync(messaging, _cancellation.Token);
        var settings = CrawlerServices.WikiSettings(_server, _temp.Combine("media"),
            ("Crawler:Wikipedia:MaxRetries", "0"), // one HTTP attempt per delivery
            ("Crawler:Wikipedia:MaxImagesPerPage", "0"),
            ("Crawler:Messaging:RetryIntervals:0", "00:00:00.050"),
            ("Crawler:Messaging:RetryIntervals:1", "00:00:00.050")); // three deliveries in all
        settings["Crawler:Folders:Roots:0"] = Library;
        _crawler = new CrawlerApp(settings, broker: messaging);
        _ = _crawler.Services; // starts the host; it returns once the crawl-requested queue is bound
    }

    public async Task DisposeAsync()
    {
        await _crawler.DisposeAsync();
        await _recorder.DisposeAsync();
        await _server.DisposeAsync();
        _cancellation.Dispose();
        _temp.Dispose();
    }

    private async Task<(CrawlRequested Request, object[] Events)> CrawlAsync(CrawlRequested request)
    {
        await _recorder.PublishAsync(request, _cancellation.Token);
        var events = await _recorder.Events.UntilCompletedAsync(request.RequestId, Timeout);
        Assert.IsType<CrawlCompleted>(events[^1]); // last, after every document and failure of the request
        Assert.Single(events.OfType<CrawlCompleted>());
        return (request, events);
    }

    [Fact]
    public async Task An_existing_and_a_missing_title_give_the_document_the_not_found_failure_then_the_completion()
    {
        var (request, events) = await CrawlAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki", "No such page xyzzy"] });

        Assert.Equal(3, events.Length);
        var document = Assert.IsType<DocumentCrawled>(events[0]);
        Assert.Equal(("wikipedia:en:Helsinki", request.RequestId), (document.DocumentId, document.RequestId));
        var failure = Assert.IsType<CrawlFailed>(events[1]);
        Assert.Equal((request.RequestId, DocumentSources.Wikipedia, "No such page xyzzy", "wikipedia:en:No_such_page_xyzzy", CrawlFailureKinds.NotFound),
            (failure.RequestId, failure.Source, failure.Target, failure.DocumentId, failure.Kind));
        Assert.Contains("does not exist on en Wikipedia", failure.Reason, StringComparison.Ordinal);
        var completed = Assert.IsType<CrawlCompleted>(events[2]);
        Assert.Equal((request.RequestId, DocumentSources.Wikipedia, 1), (completed.RequestId, completed.Source, completed.Failed));
        var listed = Assert.Single(completed.Documents);
        Assert.Equal((document.DocumentId, document.Title, document.Url, document.Revision), (listed.DocumentId, listed.Title, listed.Url, listed.Revision));
        Assert.Empty(_recorder.Faulted);
    }

    [Fact]
    public async Task A_title_that_recovers_on_a_retry_publishes_no_failure()
    {
        _server.ThrottleNext(FakeMediaWikiServer.Throttle.Http503); // the first delivery gives up; the second gets the page

        var (request, events) = await CrawlAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki"] });

        Assert.Equal([typeof(DocumentCrawled), typeof(CrawlCompleted)], events.Select(message => message.GetType()));
        var completed = (CrawlCompleted)events[1];
        Assert.Equal(0, completed.Failed);
        Assert.Equal("wikipedia:en:Helsinki", Assert.Single(completed.Documents).DocumentId);
        Assert.Single(_crawler.LogsAbout($"'Helsinki' (request {request.RequestId}) failed"));
    }

    [Fact]
    public async Task A_title_unreachable_on_every_delivery_is_reported_unreachable_only_on_the_last()
    {
        _server.ThrottleNext(FakeMediaWikiServer.Throttle.Http503, count: 3);

        var (request, events) = await CrawlAsync(new CrawlRequested { Source = DocumentSources.Wikipedia, Titles = ["Helsinki"] });

        // Three deliveries failed (one HTTP request each); only the last one published anything.
        Assert.Equal(3, _server.RequestCount);
        Assert.Equal(3, _crawler.LogsAbout($"'Helsinki' (request {request.RequestId}) failed").Length);
        Assert.Equal([typeof(CrawlFailed), typeof(CrawlCompleted)], events.Select(message => message.GetType()));
        var failure = (CrawlFailed)events[0];
        Assert.Equal(("Helsinki", CrawlFailureKinds.Unreachable, null), (failure.Target, failure.Kind, failure.DocumentId));
        Assert.Contains("unreachable after 3 attempts", failure.Reason, StringComparison.Ordinal);
        var completed = (CrawlCompleted)events[1];
        Assert.Equal((1, 0), (completed.Failed, completed.Documents.Count));
        await Task.Delay(300);
        Assert.Empty(_recorder.Faulted);
    }

    [Theory]
    [InlineData("rss", null, CrawlFailureKinds.Invalid)]
    [InlineData(DocumentSources.Wikipedia, null, CrawlFailureKinds.Invalid)]
    [InlineData(DocumentSources.Folder, "/etc", CrawlFailureKinds.Refused)]
    [InlineData(DocumentSources.Folder, "no-such-folder", CrawlFailureKinds.NotFound)]
    public async Task An_invalid_request_gets_one_failure_and_the_completion_and_stays_out_of_the_error_queue(string source, string? folder, string kind)
    {
        var (request, events) = await CrawlAsync(new CrawlRequested { Source = source, Folder = folder });

        Assert.Equal([typeof(CrawlFailed), typeof(CrawlCompleted)], events.Select(message => message.GetType()));
        var failure = (CrawlFailed)events[0];
        Assert.Equal((request.RequestId, source, kind, null), (failure.RequestId, failure.Source, failure.Kind, failure.DocumentId));
        Assert.Equal(folder ?? $"crawl request {request.RequestId}", failure.Target);
        Assert.Equal(1, ((CrawlCompleted)events[1]).Failed);
        Assert.Single(_crawler.LogsAbout($"Refused crawl request {request.RequestId}")); // consumed once: no retry
        await Task.Delay(300);
        Assert.Empty(_recorder.Faulted);
    }

    [Fact]
    public async Task A_folder_with_an_unreadable_file_lists_the_good_documents_and_reports_the_file()
    {
        var (request, events) = await CrawlAsync(new CrawlRequested { Source = DocumentSources.Folder, Folder = Library });

        var documents = events.OfType<DocumentCrawled>().ToArray();
        Assert.Equal(["folder:library/churches.txt", "folder:library/harbour.md"], documents.Select(document => document.DocumentId).Order(StringComparer.Ordinal));
        Assert.All(documents, document => Assert.Equal(request.RequestId, document.RequestId));
        var failure = Assert.Single(events.OfType<CrawlFailed>());
        Assert.Equal(("broken.pdf", "folder:library/broken.pdf", CrawlFailureKinds.Unreadable, DocumentSources.Folder),
            (failure.Target, failure.DocumentId, failure.Kind, failure.Source));
        var completed = (CrawlCompleted)events[^1];
        Assert.Equal(1, completed.Failed);
        Assert.Equal(documents.Select(document => document.DocumentId).Order(StringComparer.Ordinal),
            completed.Documents.Select(document => document.DocumentId).Order(StringComparer.Ordinal));
        Assert.Empty(_recorder.Faulted);
    }
}
