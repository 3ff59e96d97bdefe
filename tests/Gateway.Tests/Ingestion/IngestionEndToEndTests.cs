using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests.Ingestion;

/// <summary>
/// Issue 7 end to end, against the HTTP contract: jobs through <c>POST /api/ingest</c> on a real broker, crawler, indexer and
/// embedder, followed over SSE, then the catalog (<c>/api/documents</c>) and search. Each test works in a folder of its own
/// (<see cref="FolderCorpus"/>), so the tests of a class share one stack without seeing each other's documents. Run once per
/// catalog provider (<see cref="SqliteIngestionEndToEndTests"/>, <see cref="PostgresIngestionEndToEndTests"/>).
/// </summary>
public abstract class IngestionEndToEndTests(IngestionBackbone backbone, IngestionStack stack, ITestOutputHelper output) : IAsyncLifetime
{
    private const string MissingTitle = "Atlantis beneath the harbour";
    private static readonly TimeSpan EventualTimeout = TimeSpan.FromSeconds(60);

    protected IngestionStack Stack => stack;

    public Task InitializeAsync() => stack.EnsureStartedAsync(backbone);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_folder_job_streams_gapless_ordered_events_to_job_done_and_its_documents_are_listed_described_and_searchable()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot);
        using var client = stack.Client();

        var jobId = await client.StartJobAsync(new { folder = corpus.Folder });
        var events = await FollowToDoneAsync(client, jobId);

        var done = AssertCompleteJob(events, jobId, corpus.DocumentIds, "done");
        Assert.Equal(0, events[^1].Data.Int("failed"));
        Assert.Equal(1, done[corpus.HarbourId].Int("images"));
        Assert.Equal(0, done[corpus.HarbourId].Int("imagesFailed"));

        // The job: done, with each document done and its counts complete.
        var job = await client.GetJsonAsync($"/api/ingest/{jobId}");
        Assert.Equal(jobId, job.GetProperty("jobId").GetGuid());
        Assert.Equal("done", job.String("state"));
        Assert.True(job.GetProperty("finishedAt").GetDateTimeOffset() >= job.GetProperty("createdAt").GetDateTimeOffset(), job.GetRawText());
        var jobDocuments = job.GetProperty("documents").EnumerateArray().ToDictionary(d => d.String("documentId"));
        Assert.Equal(corpus.DocumentIds.Order(), jobDocuments.Keys.Order());
        foreach (var (file, title) in corpus.Documents)
        {
            var document = jobDocuments[corpus.DocumentId(file)];
            Assert.Equal(title, document.String("title"));
            Assert.Equal("done", document.String("state"));
            var passages = document.GetProperty("passages");
            Assert.True(passages.Int("total") > 0, document.GetRawText());
            Assert.Equal(passages.Int("total"), passages.Int("done"));
            Assert.Equal(done[corpus.DocumentId(file)].Int("passages"), passages.Int("total"));
            var images = document.GetProperty("images");
            Assert.Equal(file == "harbour.md" ? 1 : 0, images.Int("total"));
            Assert.Equal(images.Int("total"), images.Int("done"));
            Assert.Equal(0, images.Int("failed"));
            Assert.Empty(document.GetProperty("errors").EnumerateArray());
        }

        // The catalog: one document a page, ordered by id, `next` leading through all of them.
        var (items, pages) = await client.ListAllDocumentsAsync($"source=folder&title={corpus.Tag.ToLowerInvariant()}", limit: 1);
        Assert.Equal(3, pages.Count);
        Assert.All(pages, page => Assert.Equal(3, page.Int("total")));
        Assert.All(pages, page => Assert.Single(page.GetProperty("items").EnumerateArray()));
        var listedIds = items.Select(i => i.String("documentId")).ToList();
        Assert.Equal(corpus.DocumentIds.Order(StringComparer.Ordinal), listedIds);
        foreach (var item in items)
        {
            var id = item.String("documentId");
            Assert.Equal(jobDocuments[id].String("title"), item.String("title"));
            Assert.Equal("folder", item.String("source"));
            Assert.False(string.IsNullOrEmpty(item.String("revision")), item.GetRawText());
            Assert.False(string.IsNullOrEmpty(item.String("url")), item.GetRawText());
            Assert.Equal(jobDocuments[id].GetProperty("passages").Int("total"), item.Int("passages"));
            Assert.Equal(id == corpus.HarbourId ? 1 : 0, item.Int("images"));
            item.GetProperty("indexedAt").GetDateTimeOffset();
        }

        // Filters: the title substring in another case, and the source.
        var upper = await client.GetJsonAsync($"/api/documents?title={corpus.Tag.ToUpperInvariant()}");
        Assert.Equal(3, upper.Int("total"));
        Assert.Equal(listedIds, upper.GetProperty("items").EnumerateArray().Select(i => i.String("documentId")));
        var partial = await client.GetJsonAsync($"/api/documents?title={Uri.EscapeDataString(corpus.Tag[2..] + " MARKET")}");
        Assert.Equal(new[] { corpus.DocumentId("market.md") }, partial.GetProperty("items").EnumerateArray().Select(i => i.String("documentId")));
        var wikipedia = await client.GetJsonAsync($"/api/documents?source=wikipedia&title={corpus.Tag}");
        Assert.Equal(0, wikipedia.Int("total"));
        Assert.Empty(wikipedia.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, wikipedia.GetProperty("next").ValueKind);

        // One document: its sections, and its image with caption and credits, served by the gateway.
        var harbour = await client.GetJsonAsync(IngestApi.DocumentPath(corpus.HarbourId));
        Assert.Equal(corpus.HarbourId, harbour.String("documentId"));
        Assert.Equal($"{corpus.Tag} harbour ferries", harbour.String("title"));
        Assert.Equal("folder", harbour.String("source"));
        Assert.Equal(items.Single(i => i.String("documentId") == corpus.HarbourId).Int("passages"), harbour.Int("passages"));
        var sections = harbour.GetProperty("sections").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Contains(sections, s => s.Contains("Timetable", StringComparison.Ordinal));
        var image = Assert.Single(harbour.GetProperty("images").EnumerateArray());
        Assert.Equal(FolderCorpus.ImageCaption, image.String("caption"));
        Assert.Equal(FolderCorpus.ImageLicense, image.String("license"));
        Assert.Equal(FolderCorpus.ImageAttribution, image.String("attribution"));
        Assert.Equal($"/api/images/{image.String("imageId")}", image.String("url"));
        Assert.Equal((96, 96), (image.Int("width"), image.Int("height")));
        using (var bytes = await client.GetAsync(image.String("url")))
        {
            Assert.Equal(HttpStatusCode.OK, bytes.StatusCode);
            Assert.Equal("image/png", bytes.Content.Headers.ContentType?.MediaType);
        }
        var unescaped = await client.GetJsonAsync($"/api/documents/folder:{corpus.Folder}/harbour.md");
        Assert.Equal(corpus.HarbourId, unescaped.String("documentId"));
        await client.GetJsonAsync(IngestApi.DocumentPath($"folder:{corpus.Folder}/no-such.md"), HttpStatusCode.NotFound);

        // Search finds them.
        var found = await client.SearchAsync(new { query = "When do the ferries leave for the Suomenlinna sea fortress?", topK = 20 });
        Assert.Contains(found.GetProperty("text").EnumerateArray(), hit => hit.String("documentId") == corpus.HarbourId);
        var scoped = await client.SearchAsync(new { query = "Where can I buy fresh fish and berries?", documentIds = corpus.DocumentIds });
        var scopedHits = scoped.GetProperty("text").EnumerateArray().ToList();
        Assert.NotEmpty(scopedHits);
        Assert.Equal(corpus.DocumentId("market.md"), scopedHits[0].String("documentId"));
    }

    [Fact]
    public async Task A_wikipedia_job_with_a_missing_title_ends_partial_with_the_crawl_reason_and_one_with_only_missing_titles_fails()
    {
        using var client = stack.Client();

        var jobId = await client.StartJobAsync(new { wikipedia = new[] { "Helsinki", MissingTitle } });
        var events = await FollowToDoneAsync(client, jobId);
        AssertSequentialIds(events);
        var last = events[^1];
        Assert.Equal("job-done", last.Type);
        Assert.Equal("partial", last.Data.String("state"));
        Assert.Equal(1, last.Data.Int("failed"));
        Assert.Contains(events, e => e.Type == "document-done" && e.DocumentId == "wikipedia:en:Helsinki");
        var failed = Assert.Single(events, e => e.Type == "document-failed");
        AssertCrawlFailure(failed.Data);

        var job = await client.GetJsonAsync($"/api/ingest/{jobId}");
        Assert.Equal("partial", job.String("state"));
        var documents = job.GetProperty("documents").EnumerateArray().ToList();
        Assert.Equal(2, documents.Count);
        var helsinki = Assert.Single(documents, d => d.GetProperty("documentId").ValueKind == JsonValueKind.String
            && d.String("documentId") == "wikipedia:en:Helsinki");
        Assert.Equal("done", helsinki.String("state"));
        var missing = Assert.Single(documents, d => d.String("title") == MissingTitle);
        Assert.Equal("failed", missing.String("state"));
        Assert.Equal(failed.Data.GetProperty("documentId").GetRawText(), missing.GetProperty("documentId").GetRawText());
        var error = Assert.Single(missing.GetProperty("errors").EnumerateArray());
        Assert.Equal("crawl", error.String("stage"));
        Assert.False(string.IsNullOrWhiteSpace(error.String("reason")), missing.GetRawText());

        var listed = await client.GetJsonAsync("/api/documents?source=wikipedia&title=helsinki");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), i => i.String("documentId") == "wikipedia:en:Helsinki");

        var onlyMissing = await client.StartJobAsync(new { wikipedia = new[] { MissingTitle } });
        var failedEvents = await FollowToDoneAsync(client, onlyMissing);
        AssertSequentialIds(failedEvents);
        Assert.Equal("failed", failedEvents[^1].Data.String("state"));
        Assert.Equal(1, failedEvents[^1].Data.Int("failed"));
        AssertCrawlFailure(Assert.Single(failedEvents, e => e.Type == "document-failed").Data);
        Assert.DoesNotContain(failedEvents, e => e.Type is "document-started" or "document-done");
        var failedJob = await client.GetJsonAsync($"/api/ingest/{onlyMissing}");
        Assert.Equal("failed", failedJob.String("state"));
        Assert.Equal("failed", Assert.Single(failedJob.GetProperty("documents").EnumerateArray()).String("state"));
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_mid_job_and_after_it_gives_exactly_the_events_after_it()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot);
        using var client = stack.Client();
        var jobId = await client.StartJobAsync(new { folder = corpus.Folder });

        // Mid-job: two events, a dropped connection, then a resume from the second.
        var head = await client.ReadEventsAsync(jobId, stopAfter: 2);
        var tail = await client.ReadEventsAsync(jobId, lastEventId: head[^1].Id);
        var resumed = head.Concat(tail).ToList();
        AssertSequentialIds(resumed);
        AssertCompleteJob(resumed, jobId, corpus.DocumentIds, "done");

        // After the job: the whole history again, and from a few points in it.
        var replay = await client.ReadEventsAsync(jobId);
        Assert.Equal(Describe(resumed), Describe(replay));
        foreach (var after in new long[] { 1, replay.Count / 2, replay.Count - 1 })
        {
            var rest = await client.ReadEventsAsync(jobId, lastEventId: after);
            Assert.Equal(Describe(replay.Skip((int)after)), Describe(rest));
        }
    }

    [Fact]
    public async Task A_job_survives_a_gateway_restart_mid_job_and_finishes_with_the_right_counts()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot, extraDistricts: 6);
        Guid jobId;
        List<JobEvent> before;
        using (var client = stack.Client())
        {
            jobId = await client.StartJobAsync(new { folder = corpus.Folder });
            before = await client.ReadEventsAsync(jobId, stopAfter: 1);
        }
        output.WriteLine($"restarting the gateway after: {IngestApi.Describe(before)}");
        await stack.RestartGatewayAsync();

        using var restarted = stack.Client();
        var events = await FollowToDoneAsync(restarted, jobId);
        Assert.Equal(before[0].ToString(), events[0].ToString());
        var done = AssertCompleteJob(events, jobId, corpus.DocumentIds, "done");
        Assert.Equal(0, events[^1].Data.Int("failed"));

        var job = await restarted.GetJsonAsync($"/api/ingest/{jobId}");
        Assert.Equal("done", job.String("state"));
        var documents = job.GetProperty("documents").EnumerateArray().ToList();
        Assert.Equal(corpus.DocumentIds.Order(), documents.Select(d => d.String("documentId")).Order());
        foreach (var document in documents)
        {
            Assert.Equal("done", document.String("state"));
            var passages = document.GetProperty("passages");
            Assert.Equal(done[document.String("documentId")].Int("passages"), passages.Int("total"));
            Assert.Equal(passages.Int("total"), passages.Int("done"));
        }
        var listed = await restarted.GetJsonAsync($"/api/documents?title={corpus.Tag}");
        Assert.Equal(corpus.Documents.Count, listed.Int("total"));
    }

    [Fact]
    public async Task A_deleted_document_leaves_the_catalog_and_search()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot);
        using var client = stack.Client();
        var jobId = await client.StartJobAsync(new { folder = corpus.Folder });
        AssertCompleteJob(await FollowToDoneAsync(client, jobId), jobId, corpus.DocumentIds, "done");
        var id = corpus.HarbourId;
        var query = new { query = "When do the ferries leave for the Suomenlinna sea fortress?", documentIds = new[] { id } };
        Assert.NotEmpty((await client.SearchAsync(query)).GetProperty("text").EnumerateArray());

        using (var response = await client.DeleteAsync(IngestApi.DocumentPath(id)))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"DELETE answered {(int)response.StatusCode}: {body}");
            Assert.Equal(id, JsonDocument.Parse(body).RootElement.String("documentId"));
        }

        await IngestApi.EventuallyAsync(async () =>
        {
            using var response = await client.GetAsync(IngestApi.DocumentPath(id));
            return response.StatusCode == HttpStatusCode.NotFound;
        }, EventualTimeout, () => $"GET {IngestApi.DocumentPath(id)} still answers.\n{stack.ProcessOutput()}");
        var listed = await client.GetJsonAsync($"/api/documents?title={corpus.Tag}");
        Assert.Equal(2, listed.Int("total"));
        Assert.DoesNotContain(listed.GetProperty("items").EnumerateArray(), i => i.String("documentId") == id);
        // Search scoped to it: "unknown document" (the search API's answer when the store has nothing of an id) or nothing;
        // and an open search no longer returns it.
        await IngestApi.EventuallyAsync(async () =>
        {
            var (status, scoped) = await client.TrySearchAsync(query);
            var gone = status == HttpStatusCode.BadRequest
                ? scoped.String("title") == "Unknown documents" && scoped.String("detail").Contains(id, StringComparison.Ordinal)
                : !scoped.GetProperty("text").EnumerateArray().Any() && !scoped.GetProperty("images").EnumerateArray().Any(i => i.String("documentId") == id);
            var open = await client.SearchAsync(new { query = query.query, topK = 20 });
            return gone && !open.GetProperty("text").EnumerateArray().Any(hit => hit.String("documentId") == id)
                && !open.GetProperty("images").EnumerateArray().Any(hit => hit.String("documentId") == id);
        }, EventualTimeout, () => "search still finds the deleted document");

        await client.GetJsonAsync(IngestApi.DocumentPath(corpus.DocumentId("market.md")));
        using var again = await client.DeleteAsync(IngestApi.DocumentPath(id));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Ingesting_the_same_folder_twice_gives_the_same_counts_and_leaves_the_document_list_unchanged()
    {
        var corpus = FolderCorpus.Write(stack.DocsRoot);
        using var client = stack.Client();
        var first = await client.StartJobAsync(new { folder = corpus.Folder });
        var firstDone = AssertCompleteJob(await FollowToDoneAsync(client, first), first, corpus.DocumentIds, "done");
        var firstJob = await client.GetJsonAsync($"/api/ingest/{first}");
        var firstList = await client.ListAllDocumentsAsync($"title={corpus.Tag}", limit: 50);

        var second = await client.StartJobAsync(new { folder = corpus.Folder });
        Assert.NotEqual(first, second);
        var secondDone = AssertCompleteJob(await FollowToDoneAsync(client, second), second, corpus.DocumentIds, "done");
        var secondJob = await client.GetJsonAsync($"/api/ingest/{second}");
        var secondList = await client.ListAllDocumentsAsync($"title={corpus.Tag}", limit: 50);

        foreach (var id in corpus.DocumentIds)
        {
            Assert.True(secondDone[id].GetProperty("unchanged").GetBoolean(), $"The second document-done of {id} is not unchanged: {secondDone[id].GetRawText()}");
            Assert.Equal((firstDone[id].Int("passages"), firstDone[id].Int("images")), (secondDone[id].Int("passages"), secondDone[id].Int("images")));
        }
        Assert.Equal("done", secondJob.String("state"));
        Assert.Equal(JobCounts(firstJob), JobCounts(secondJob));
        Assert.Equal(ListShape(firstList.Items), ListShape(secondList.Items));
        Assert.Equal(3, secondList.Items.Count);
    }

    private async Task<List<JobEvent>> FollowToDoneAsync(HttpClient client, Guid jobId)
    {
        try
        {
            var events = await client.ReadEventsAsync(jobId);
            Assert.True(events.Count > 0 && events[^1].Type == "job-done",
                $"The stream of job {jobId} ended without job-done:{IngestApi.Describe(events)}\n{stack.ProcessOutput()}");
            return events;
        }
        catch (TimeoutException ex)
        {
            var job = await client.GetJsonAsync($"/api/ingest/{jobId}");
            throw new TimeoutException($"{ex.Message}\nThe job: {job.GetRawText()}\nQueues: {await stack.CatalogQueuesAsync()}\n{stack.ProcessOutput()}", ex);
        }
    }

    /// <summary>Ids 1..N without gaps or repeats, one <c>job-done</c> (the last, with this job's id and <paramref name="state"/>),
    /// and for each document: <c>document-started</c> first, its <c>progress</c> never going back, <c>document-done</c> last.
    /// Returns each document's <c>document-done</c> data.</summary>
    private static Dictionary<string, JsonElement> AssertCompleteJob(List<JobEvent> events, Guid jobId, IReadOnlyList<string> documentIds, string state)
    {
        AssertSequentialIds(events);
        var last = events[^1];
        Assert.True(last.Type == "job-done", $"The last event is not job-done:{IngestApi.Describe(events)}");
        Assert.Single(events, e => e.Type == "job-done");
        Assert.Equal(jobId, last.Data.GetProperty("jobId").GetGuid());
        Assert.Equal(state, last.Data.String("state"));
        Assert.Equal(documentIds.Count, last.Data.Int("documents"));

        var done = new Dictionary<string, JsonElement>();
        foreach (var id in documentIds)
        {
            var mine = events.Where(e => e.DocumentId == id).ToList();
            Assert.True(mine.Count >= 2 && mine[0].Type == "document-started" && mine[^1].Type == "document-done",
                $"Events of {id} do not run from document-started to document-done:{IngestApi.Describe(mine)}");
            Assert.Single(mine, e => e.Type == "document-started");
            Assert.Single(mine, e => e.Type == "document-done");
            Assert.DoesNotContain(mine, e => e.Type == "document-failed");
            var progress = mine.Where(e => e.Type == "progress").Select(e => e.Data.GetProperty("passages").Int("done")).ToList();
            Assert.Equal(progress.Order(), progress);
            done[id] = mine[^1].Data;
            Assert.True(done[id].Int("passages") > 0, done[id].GetRawText());
        }
        Assert.Equal(documentIds.Order(), events.Where(e => e.Type == "document-done").Select(e => e.DocumentId!).Order());
        return done;
    }

    private static void AssertSequentialIds(List<JobEvent> events) =>
        Assert.True(events.Select(e => e.Id).SequenceEqual(Enumerable.Range(1, events.Count).Select(i => (long)i)),
            $"Event ids are not 1..{events.Count}:{IngestApi.Describe(events)}");

    /// <summary>A <c>document-failed</c> of the crawl for <see cref="MissingTitle"/>: its document id is null, or the id the page
    /// would have had (the crawler may know it for a missing title); its title is the requested one.</summary>
    private static void AssertCrawlFailure(JsonElement failed)
    {
        Assert.True(failed.GetProperty("documentId").ValueKind is JsonValueKind.Null or JsonValueKind.String, failed.GetRawText());
        Assert.Equal(MissingTitle, failed.String("title"));
        Assert.Equal("crawl", failed.String("stage"));
        Assert.False(string.IsNullOrWhiteSpace(failed.String("reason")), failed.GetRawText());
    }

    private static string Describe(IEnumerable<JobEvent> events) => string.Join("\n", events.Select(e => e.ToString()));

    private static string JobCounts(JsonElement job) => string.Join("\n", job.GetProperty("documents").EnumerateArray()
        .Select(d => $"{d.String("documentId")} {d.String("state")} {d.GetProperty("passages").GetRawText()} {d.GetProperty("images").GetRawText()}")
        .Order(StringComparer.Ordinal));

    private static string ListShape(IEnumerable<JsonElement> items) => string.Join("\n", items.Select(i =>
        $"{i.String("documentId")} {i.String("title")} {i.String("url")} {i.String("source")} {i.String("revision")} {i.Int("passages")} {i.Int("images")}"));
}

[Collection(IngestionCollection.Name)]
public sealed class SqliteIngestionEndToEndTests(IngestionBackbone backbone, SqliteIngestionStack stack, ITestOutputHelper output)
    : IngestionEndToEndTests(backbone, stack, output), IClassFixture<SqliteIngestionStack>;

[Collection(IngestionCollection.Name)]
public sealed class PostgresIngestionEndToEndTests(IngestionBackbone backbone, PostgresIngestionStack stack, ITestOutputHelper output)
    : IngestionEndToEndTests(backbone, stack, output), IClassFixture<PostgresIngestionStack>;
