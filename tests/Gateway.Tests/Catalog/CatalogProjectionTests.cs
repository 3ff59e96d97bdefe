using AspireMmRag.Gateway.Catalog;
using AspireMmRag.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Gateway.Tests.Catalog;

/// <summary>The catalog's event rules on both providers: any arrival order gives the same job and document list, a
/// redelivered message changes nothing, and event sequence numbers run 1..N without gaps.</summary>
public sealed class CatalogProjectionTests(CatalogDatabases databases) : IClassFixture<CatalogDatabases>
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(CatalogDatabases.Providers), MemberType = typeof(CatalogDatabases))]
    public async Task A_folder_job_in_order_ends_done_with_every_event_numbered(string provider)
    {
        await using var catalog = await databases.CreateAsync(provider);
        var job = await CreateJobAsync(catalog, DocumentSources.Folder);

        await ApplyAsync(catalog, Progress(job, "folder:docs/a.md", chunksDone: 2, chunksTotal: 4));
        await ApplyAsync(catalog, Progress(job, "folder:docs/a.md", chunksDone: 4, chunksTotal: 4));
        await ApplyAsync(catalog, Indexed(job, "folder:docs/a.md", T0));
        await ApplyAsync(catalog, Indexed(job, "folder:docs/b.md", T0));
        await ApplyAsync(catalog, Completed(job, "folder:docs/a.md", "folder:docs/b.md"));

        var view = await JobAsync(catalog, job);
        Assert.Equal(JobStates.Done, view.State);
        Assert.NotNull(view.FinishedAt);
        Assert.All(view.Documents, d => Assert.Equal(JobDocumentStates.Done, d.State));
        var a = Assert.Single(view.Documents, d => d.DocumentId == "folder:docs/a.md");
        Assert.Equal((4, 4), (a.Passages.Done, a.Passages.Total));

        var events = await EventsAsync(catalog, job);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(
            ["document-started", "progress", "progress", "document-done", "document-started", "document-done", "job-done"],
            events.Select(e => e.Type));
        Assert.Contains("\"state\":\"done\"", events[^1].Data);
    }

    [Theory]
    [MemberData(nameof(CatalogDatabases.Providers), MemberType = typeof(CatalogDatabases))]
    public async Task Events_out_of_order_give_the_same_outcome_and_one_job_done(string provider)
    {
        await using var catalog = await databases.CreateAsync(provider);
        var job = await CreateJobAsync(catalog, DocumentSources.Folder);

        await ApplyAsync(catalog, Completed(job, "folder:docs/a.md", "folder:docs/b.md"));
        await ApplyAsync(catalog, Indexed(job, "folder:docs/b.md", T0));
        Assert.Equal(JobStates.Running, (await JobAsync(catalog, job)).State);
        await ApplyAsync(catalog, Indexed(job, "folder:docs/a.md", T0));
        await ApplyAsync(catalog, Progress(job, "folder:docs/a.md", chunksDone: 1, chunksTotal: 4)); // late: a is done already

        var view = await JobAsync(catalog, job);
        Assert.Equal(JobStates.Done, view.State);
        var a = Assert.Single(view.Documents, d => d.DocumentId == "folder:docs/a.md");
        Assert.Equal(JobDocumentStates.Done, a.State);
        Assert.Equal(4, a.Passages.Done);
        var events = await EventsAsync(catalog, job);
        Assert.Single(events, e => e.Type == JobEventTypes.JobDone);
        Assert.Equal(JobEventTypes.JobDone, events[^1].Type);
        Assert.DoesNotContain(events, e => e.Type == JobEventTypes.Progress);
    }

    [Theory]
    [MemberData(nameof(CatalogDatabases.Providers), MemberType = typeof(CatalogDatabases))]
    public async Task A_redelivered_message_changes_nothing(string provider)
    {
        await using var catalog = await databases.CreateAsync(provider);
        var job = await CreateJobAsync(catalog, DocumentSources.Folder);
        var progressId = Guid.NewGuid();
        var indexedId = Guid.NewGuid();

        await ApplyAsync(catalog, Progress(job, "folder:docs/a.md", 2, 4), progressId);
        await ApplyAsync(catalog, Progress(job, "folder:docs/a.md", 2, 4), progressId);
        await ApplyAsync(catalog, Indexed(job, "folder:docs/a.md", T0), indexedId);
        await ApplyAsync(catalog, Indexed(job, "folder:docs/a.md", T0), indexedId);

        var events = await EventsAsync(catalog, job);
        Assert.Equal(["document-started", "progress", "document-done"], events.Select(e => e.Type));
        using var scope = catalog.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var stored = await db.Jobs.SingleAsync(j => j.Id == job);
        Assert.Equal((1, 0, 0), (stored.DocumentsDone, stored.DocumentsFailed, stored.DocumentsUnfinished));
    }

    [Theory]
    [MemberData(nameof(CatalogDatabases.Providers), MemberType = typeof(CatalogDatabases))]
    public async Task A_missing_title_fails_its_item_and_the_job_is_partial_or_failed(string provider)
    {
        await using var catalog = await databases.CreateAsync(provider);
        var partial = await CreateJobAsync(catalog, DocumentSources.Wikipedia);
        await ApplyAsync(catalog, Indexed(partial, "wikipedia:en:Helsinki", T0));
        await ApplyAsync(catalog, Missing(partial, "Atlantis (city)"));
        await ApplyAsync(catalog, Completed(partial, "wikipedia:en:Helsinki"));

        var view = await JobAsync(catalog, partial);
        Assert.Equal(JobStates.Partial, view.State);
        var failed = Assert.Single(view.Documents, d => d.State == JobDocumentStates.Failed);
        Assert.Equal("Atlantis (city)", failed.Title);
        Assert.Equal("wikipedia:en:Atlantis_(city)", failed.DocumentId);
        var error = Assert.Single(failed.Errors);
        Assert.Equal(("crawl", "The page does not exist on en Wikipedia."), (error.Stage, error.Reason));

        var onlyMissing = await CreateJobAsync(catalog, DocumentSources.Wikipedia);
        await ApplyAsync(catalog, Missing(onlyMissing, "Atlantis (city)"));
        await ApplyAsync(catalog, Completed(onlyMissing));
        Assert.Equal(JobStates.Failed, (await JobAsync(catalog, onlyMissing)).State);
        Assert.Equal(["document-failed", "job-done"], (await EventsAsync(catalog, onlyMissing)).Select(e => e.Type));
    }

    [Theory]
    [MemberData(nameof(CatalogDatabases.Providers), MemberType = typeof(CatalogDatabases))]
    public async Task An_indexing_fault_fails_the_document_at_the_index_stage(string provider)
    {
        await using var catalog = await databases.CreateAsync(provider);
        var job = await CreateJobAsync(catalog, DocumentSources.Folder);
        await ApplyAsync(catalog, Completed(job, "folder:docs/a.md"));
        using (var scope = catalog.CreateScope())
        {
            var crawled = new DocumentCrawled
            {
                DocumentId = "folder:docs/a.md", Source = DocumentSources.Folder, Title = "A", Url = "file:///docs/a.md",
                Revision = "1", ContentHash = "h", RequestId = job,
            };
            await scope.ServiceProvider.GetRequiredService<CatalogUpdater>().ApplyOnceAsync(Guid.NewGuid(), "Fault",
                (p, ct) => p.ApplyIndexingFaultAsync(crawled, "indexing failed: the embedder refused", ct), CancellationToken.None);
        }
        var view = await JobAsync(catalog, job);
        Assert.Equal(JobStates.Failed, view.State);
        Assert.Equal("index", Assert.Single(Assert.Single(view.Documents).Errors).Stage);
    }

    [Theory]
    [MemberData(nameof(CatalogDatabases.Providers), MemberType = typeof(CatalogDatabases))]
    public async Task The_document_list_follows_the_latest_of_indexing_and_removal(string provider)
    {
        await using var catalog = await databases.CreateAsync(provider);
        await ApplyAsync(catalog, Indexed(null, "folder:docs/a.md", T0));
        await ApplyRemovedAsync(catalog, "folder:docs/a.md", T0.AddMinutes(1));
        Assert.Null(await DetailAsync(catalog, "folder:docs/a.md"));

        await ApplyAsync(catalog, Indexed(null, "folder:docs/a.md", T0.AddSeconds(30))); // older than the removal: stays removed
        Assert.Null(await DetailAsync(catalog, "folder:docs/a.md"));

        await ApplyAsync(catalog, Indexed(null, "folder:docs/a.md", T0.AddMinutes(2))); // indexed again afterwards
        var detail = await DetailAsync(catalog, "folder:docs/a.md");
        Assert.NotNull(detail);
        Assert.Equal(["Intro", "Intro › Sights"], detail.Sections);
        var image = Assert.Single(detail.Images);
        Assert.Equal($"/api/images/{image.ImageId}", image.Url);
        Assert.Equal("Photo: Jane (CC BY-SA 4.0)", image.Attribution);

        // A removal that happened before the latest indexing arrives late: the document stays.
        await ApplyRemovedAsync(catalog, "folder:docs/a.md", T0.AddMinutes(1).AddSeconds(30));
        Assert.NotNull(await DetailAsync(catalog, "folder:docs/a.md"));
    }

    [Theory]
    [MemberData(nameof(CatalogDatabases.Providers), MemberType = typeof(CatalogDatabases))]
    public async Task The_list_pages_by_id_and_filters_by_source_and_title_ignoring_case(string provider)
    {
        await using var catalog = await databases.CreateAsync(provider);
        await ApplyAsync(catalog, Indexed(null, "wikipedia:en:Helsinki", T0, "Helsinki"));
        await ApplyAsync(catalog, Indexed(null, "wikipedia:en:Tallinn", T0, "Tallinn"));
        await ApplyAsync(catalog, Indexed(null, "folder:docs/helsinki-walk.md", T0, "A walk in HELSINKI"));

        using var scope = catalog.CreateScope();
        var documents = scope.ServiceProvider.GetRequiredService<DocumentCatalog>();
        var first = await documents.ListAsync(null, null, null, 2, CancellationToken.None);
        Assert.Equal(3, first.Total);
        Assert.Equal(["folder:docs/helsinki-walk.md", "wikipedia:en:Helsinki"], first.Items.Select(d => d.DocumentId));
        Assert.Equal("wikipedia:en:Helsinki", first.Next);
        var second = await documents.ListAsync(null, null, first.Next, 2, CancellationToken.None);
        Assert.Equal(["wikipedia:en:Tallinn"], second.Items.Select(d => d.DocumentId));
        Assert.Null(second.Next);

        var helsinki = await documents.ListAsync(null, "helSINKI", null, 50, CancellationToken.None);
        Assert.Equal(2, helsinki.Total);
        var wikipedia = await documents.ListAsync(DocumentSources.Wikipedia, "helsinki", null, 50, CancellationToken.None);
        Assert.Equal(["wikipedia:en:Helsinki"], wikipedia.Items.Select(d => d.DocumentId));
    }

    private static async Task<Guid> CreateJobAsync(ServiceProvider catalog, string source)
    {
        var request = new CrawlRequested { Source = source, Titles = source == DocumentSources.Wikipedia ? ["Helsinki"] : [], Folder = source == DocumentSources.Folder ? "/docs" : null };
        using var scope = catalog.CreateScope();
        await scope.ServiceProvider.GetRequiredService<JobCatalog>().CreateAsync(request, CancellationToken.None);
        return request.RequestId;
    }

    private static async Task ApplyAsync<T>(ServiceProvider catalog, T message, Guid? messageId = null) where T : class
    {
        using var scope = catalog.CreateScope();
        var updater = scope.ServiceProvider.GetRequiredService<CatalogUpdater>();
        await updater.ApplyOnceAsync(messageId ?? NewId.NextGuid(), typeof(T).Name, (projection, ct) => message switch
        {
            DocumentIndexingProgress m => projection.ApplyAsync(m, ct),
            DocumentIndexed m => projection.ApplyAsync(m, ct),
            CrawlCompleted m => projection.ApplyAsync(m, ct),
            CrawlFailed m => projection.ApplyAsync(m, ct),
            _ => throw new ArgumentException(typeof(T).Name),
        }, CancellationToken.None);
    }

    private static async Task ApplyRemovedAsync(ServiceProvider catalog, string documentId, DateTimeOffset at)
    {
        using var scope = catalog.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CatalogUpdater>().ApplyOnceAsync(Guid.NewGuid(), nameof(DocumentRemoved), async (p, ct) =>
        {
            await p.ApplyAsync(new DocumentRemoved { DocumentId = documentId, Removed = 3 }, at, ct);
            return null;
        }, CancellationToken.None);
    }

    private static async Task<Model.IngestJobView> JobAsync(ServiceProvider catalog, Guid job)
    {
        using var scope = catalog.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<JobCatalog>().GetAsync(job, CancellationToken.None) ?? throw new InvalidOperationException("no job");
    }

    private static async Task<IReadOnlyList<JobEvent>> EventsAsync(ServiceProvider catalog, Guid job)
    {
        using var scope = catalog.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<JobCatalog>().EventsAfterAsync(job, 0, 1000, CancellationToken.None);
    }

    private static async Task<Model.DocumentDetail?> DetailAsync(ServiceProvider catalog, string documentId)
    {
        using var scope = catalog.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<DocumentCatalog>().GetAsync(documentId, CancellationToken.None);
    }

    private static DocumentIndexingProgress Progress(Guid job, string documentId, int chunksDone, int chunksTotal) => new()
    {
        DocumentId = documentId, Revision = "1", RequestId = job, Title = documentId, Url = "https://example.org/" + documentId,
        ChunksDone = chunksDone, ChunksTotal = chunksTotal, ImagesTotal = 1,
    };

    private static DocumentIndexed Indexed(Guid? job, string documentId, DateTimeOffset at, string? title = null) => new()
    {
        DocumentId = documentId, Revision = "1", RequestId = job, Source = documentId.Split(':')[0], Title = title ?? documentId,
        Url = "https://example.org/" + documentId, Chunks = 4, Images = 1, IndexedAt = at,
        Sections = ["Intro", "Intro › Sights"],
        IndexedImages = [new IndexedImage { MediaRef = new string('a', 64), Caption = "The cathedral", Attribution = "Photo: Jane (CC BY-SA 4.0)", Width = 800, Height = 600 }],
    };

    private static CrawlCompleted Completed(Guid job, params string[] documentIds) => new()
    {
        RequestId = job, Source = DocumentSources.Folder, Failed = 0,
        Documents = documentIds.Select(id => new CrawledDocumentSummary { DocumentId = id, Title = id, Url = "https://example.org/" + id, Revision = "1" }).ToArray(),
    };

    private static CrawlFailed Missing(Guid job, string title) => new()
    {
        RequestId = job, Source = DocumentSources.Wikipedia, Target = title, DocumentId = "wikipedia:en:" + title.Replace(' ', '_'),
        Kind = CrawlFailureKinds.NotFound, Reason = "The page does not exist on en Wikipedia.",
    };
}
