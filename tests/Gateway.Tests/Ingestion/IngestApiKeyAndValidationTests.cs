using System.Net;
using System.Text.Json;
using AspireMmRag.Gateway.Tests.Infrastructure;

namespace AspireMmRag.Gateway.Tests.Ingestion;

/// <summary>
/// The ingestion API's guards, against the contract: the API key on writes (and on reads when asked), 400 problem details for
/// bad bodies, 404s for unknown jobs, 503 without a catalog or broker. The gateway runs alone on its virtual host, and a
/// queue of our own bound to the CrawlRequested exchange shows what it published: only the accepted requests, one each.
/// </summary>
[Collection(IngestionCollection.Name)]
public sealed class IngestApiKeyAndValidationTests(IngestionBackbone backbone, GatewayOnlyStack stack)
    : IClassFixture<GatewayOnlyStack>, IAsyncLifetime
{
    private const string ValidFolderBody = """{"folder":"docs/sub"}""";
    private const string UnknownDocument = "folder:docs/sub/none.md";

    public async Task InitializeAsync()
    {
        await stack.EnsureStartedAsync(backbone);
        await stack.Probe.DrainAsync(); // what earlier tests published (confirmed before their 202) is gone
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Ingest_and_delete_answer_401_without_the_key_403_with_a_wrong_one_and_act_with_the_right_one()
    {
        var cases = new (string Name, string? Key, Func<HttpClient, Task<HttpResponseMessage>> Call, HttpStatusCode Expected)[]
        {
            ("POST /api/ingest without a key", null, c => c.PostIngestAsync(ValidFolderBody), HttpStatusCode.Unauthorized),
            ("POST /api/ingest with a wrong key", "wrong-key", c => c.PostIngestAsync(ValidFolderBody), HttpStatusCode.Forbidden),
            ("POST /api/ingest with the key one character short", IngestionStack.ApiKey[..^1], c => c.PostIngestAsync(ValidFolderBody), HttpStatusCode.Forbidden),
            ("DELETE /api/documents/{id} without a key", null, c => c.DeleteAsync(IngestApi.DocumentPath(UnknownDocument)), HttpStatusCode.Unauthorized),
            ("DELETE /api/documents/{id} with a wrong key", "wrong-key", c => c.DeleteAsync(IngestApi.DocumentPath(UnknownDocument)), HttpStatusCode.Forbidden),
            ("DELETE /api/documents/{id} with the right key, unknown document", IngestionStack.ApiKey, c => c.DeleteAsync(IngestApi.DocumentPath(UnknownDocument)), HttpStatusCode.NotFound),
            ("GET /api/documents without a key (reads are open)", null, c => c.GetAsync("/api/documents"), HttpStatusCode.OK),
            ("GET /api/ingest/{unknown} without a key (reads are open)", null, c => c.GetAsync($"/api/ingest/{Guid.NewGuid()}"), HttpStatusCode.NotFound),
        };
        var mismatches = await RunAsync(stack.Gateway, cases);

        // The right key starts a job: one CrawlRequested, this job's, and nothing from the refused calls.
        using var client = stack.Client();
        var jobId = await client.StartJobAsync(new { folder = "docs/sub" });
        mismatches.AddRange(await PublishedOnlyAsync(jobId, "folder"));
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task With_RequireKeyForReads_every_api_read_needs_the_key_and_health_stays_open()
    {
        await using var gateway = new GatewayApp(stack.GatewaySettings(("Gateway:RequireKeyForReads", "true")));
        var cases = new (string Name, string? Key, Func<HttpClient, Task<HttpResponseMessage>> Call, HttpStatusCode Expected)[]
        {
            ("GET /api/documents without a key", null, c => c.GetAsync("/api/documents"), HttpStatusCode.Unauthorized),
            ("GET /api/documents with a wrong key", "wrong-key", c => c.GetAsync("/api/documents"), HttpStatusCode.Forbidden),
            ("GET /api/documents with the key", IngestionStack.ApiKey, c => c.GetAsync("/api/documents"), HttpStatusCode.OK),
            ("GET /api/documents/{id} without a key", null, c => c.GetAsync(IngestApi.DocumentPath(UnknownDocument)), HttpStatusCode.Unauthorized),
            ("GET /api/documents/{id} with the key", IngestionStack.ApiKey, c => c.GetAsync(IngestApi.DocumentPath(UnknownDocument)), HttpStatusCode.NotFound),
            ("GET /api/ingest/{id} without a key", null, c => c.GetAsync($"/api/ingest/{Guid.NewGuid()}"), HttpStatusCode.Unauthorized),
            ("GET /api/ingest/{id} with a wrong key", "wrong-key", c => c.GetAsync($"/api/ingest/{Guid.NewGuid()}"), HttpStatusCode.Forbidden),
            ("GET /api/ingest/{id} with the key", IngestionStack.ApiKey, c => c.GetAsync($"/api/ingest/{Guid.NewGuid()}"), HttpStatusCode.NotFound),
            ("GET /api/ingest/{id}/events without a key", null, c => c.GetAsync($"/api/ingest/{Guid.NewGuid()}/events"), HttpStatusCode.Unauthorized),
            ("POST /api/search without a key", null, c => c.PostAsync("/api/search", IngestApi.Json("""{"query":"ferries"}""")), HttpStatusCode.Unauthorized),
            ("GET /api/models without a key", null, c => c.GetAsync("/api/models"), HttpStatusCode.Unauthorized),
            ("GET /api/images/{id} without a key", null, c => c.GetAsync($"/api/images/{new string('0', 64)}"), HttpStatusCode.Unauthorized),
            ("POST /api/ingest without a key", null, c => c.PostIngestAsync(ValidFolderBody), HttpStatusCode.Unauthorized),
        };
        var mismatches = await RunAsync(gateway, cases);
        using var anonymous = IngestionStack.CreateClient(gateway, apiKey: null);
        foreach (var open in new[] { "/health", "/alive", "/openapi/v1.json" })
        {
            using var response = await anonymous.GetAsync(open);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                mismatches.Add($"GET {open} without a key: {(int)response.StatusCode}, expected it to stay open");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    public static TheoryData<string, string> BadBodies()
    {
        var data = new TheoryData<string, string>();
        void Add(string name, string json) => data.Add(name, json);
        string Titles(params string[] titles) => JsonSerializer.Serialize(new { wikipedia = titles });
        string Folder(string folder) => JsonSerializer.Serialize(new { folder });

        Add("an unknown field beside a valid list", """{"wikipedia":["Helsinki"],"depth":3}""");
        Add("only an unknown field", """{"title":"Helsinki"}""");
        Add("neither wikipedia nor folder", "{}");
        Add("both wikipedia and folder", """{"wikipedia":["Helsinki"],"folder":"docs/sub"}""");
        Add("an empty title list", Titles());
        Add("1,000 titles", Titles([.. Enumerable.Range(1, 1000).Select(i => $"Title {i}")]));
        Add("51 titles", Titles([.. Enumerable.Range(1, 51).Select(i => $"Title {i}")]));
        Add("a 10,000-character title", Titles(new string('a', 10_000)));
        Add("a 256-character title", Titles(new string('a', 256)));
        foreach (var forbidden in new[] { "|", "#", "<", ">", "[", "]", "{", "}", "\u0007", "\n" })
        {
            Add($"a title with {JsonSerializer.Serialize(forbidden)}", Titles($"Helsinki{forbidden}Tallinn"));
        }
        Add("a non-Wikipedia URL", Titles("https://example.org/wiki/Helsinki"));
        Add("another Wikipedia's URL", Titles("https://de.wikipedia.org/wiki/Helsinki"));
        Add("a Wikipedia URL that is not an article path", Titles("https://en.wikipedia.org/w/index.php?title=Helsinki&action=raw"));
        Add("a Wikipedia URL on another scheme", Titles("ftp://en.wikipedia.org/wiki/Helsinki"));
        Add("file:///etc/passwd as a title", Titles("file:///etc/passwd"));
        Add("file:///etc/passwd as the folder", Folder("file:///etc/passwd"));
        Add("the folder ../../", Folder("../../"));
        Add("the folder docs/../..", Folder("docs/../.."));
        Add("the folder docs/sub/../../docs", Folder("docs/sub/../../docs"));
        Add("the folder /etc", Folder("/etc"));
        Add("the folder /docs/sub (rooted)", Folder("/docs/sub"));
        Add("a backslash in the folder", Folder("docs\\sub"));
        Add("an unknown root", Folder("elsewhere/sub"));
        Add("a folder that does not exist", Folder("docs/no-such-folder"));
        Add("malformed JSON", """{"wikipedia": ["Helsinki" """);
        Add("not JSON at all", "wikipedia=Helsinki");
        Add("a string instead of a title list", """{"wikipedia":"Helsinki"}""");
        Add("a number as the folder", """{"folder":7}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_ingest_body_is_a_400_problem_with_a_reason_and_publishes_nothing(string name, string json)
    {
        using var client = stack.Client();
        using (var response = await client.PostIngestAsync(json))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.True(problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString()),
                $"{name}: the problem has no detail: {body}");
        }

        // A valid request after it: its CrawlRequested is the only one (the refused one would have been published, and
        // confirmed by the broker, before its 400).
        var jobId = await client.StartJobAsync(new { wikipedia = new[] { "Helsinki" } });
        var published = await PublishedOnlyAsync(jobId, "wikipedia");
        Assert.True(published.Count == 0, $"{name}: {string.Join("\n", published)}");
    }

    [Fact]
    public async Task Unknown_jobs_answer_404_problems_and_no_event_stream()
    {
        using var client = stack.Client();
        foreach (var path in new[] { $"/api/ingest/{Guid.NewGuid()}", $"/api/ingest/{Guid.NewGuid()}/events" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData("ConnectionStrings:catalog", "catalog")]
    [InlineData("ConnectionStrings:messaging", "messaging")]
    public async Task Without_a_catalog_or_a_broker_the_ingestion_endpoints_answer_503_saying_what_is_missing(string key, string named)
    {
        await using var gateway = new GatewayApp(stack.GatewaySettings((key, null)));
        using var client = IngestionStack.CreateClient(gateway, IngestionStack.ApiKey);
        var calls = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("POST /api/ingest", () => client.PostIngestAsync(ValidFolderBody)),
            ("GET /api/ingest/{id}", () => client.GetAsync($"/api/ingest/{Guid.NewGuid()}")),
            ("GET /api/documents", () => client.GetAsync("/api/documents")),
            ("DELETE /api/documents/{id}", () => client.DeleteAsync(IngestApi.DocumentPath(UnknownDocument))),
        };
        foreach (var (name, call) in calls)
        {
            using var response = await call();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{name} without {key}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(named, body, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<List<string>> RunAsync(GatewayApp gateway,
        IEnumerable<(string Name, string? Key, Func<HttpClient, Task<HttpResponseMessage>> Call, HttpStatusCode Expected)> cases)
    {
        var mismatches = new List<string>();
        foreach (var (name, key, call, expected) in cases)
        {
            using var client = IngestionStack.CreateClient(gateway, key);
            using var response = await call(client);
            if (response.StatusCode != expected)
            {
                mismatches.Add($"{name}: {(int)response.StatusCode}, expected {(int)expected}: {await response.Content.ReadAsStringAsync()}");
            }
            else if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                mismatches.Add($"{name}: {(int)response.StatusCode} as {response.Content.Headers.ContentType}, expected application/problem+json");
            }
        }
        return mismatches;
    }

    /// <summary>What is wrong with the probe's queue, which should hold exactly one CrawlRequested: <paramref name="jobId"/>'s.</summary>
    private async Task<List<string>> PublishedOnlyAsync(Guid jobId, string source)
    {
        var messages = await stack.Probe.DrainAsync();
        var problems = new List<string>();
        if (messages.Count != 1)
        {
            problems.Add($"{messages.Count} CrawlRequested published, expected only job {jobId}'s: {string.Join(" | ", messages.Select(m => m.GetRawText()))}");
        }
        if (!messages.Any(m => m.TryGetProperty("requestId", out var id) && id.GetGuid() == jobId
            && m.TryGetProperty("source", out var s) && s.GetString() == source))
        {
            problems.Add($"No CrawlRequested with requestId {jobId} and source {source} was published.");
        }
        return problems;
    }
}
