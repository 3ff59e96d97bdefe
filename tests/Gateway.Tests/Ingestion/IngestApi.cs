using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;

namespace AspireMmRag.Gateway.Tests.Ingestion;

/// <summary>One event of a job's <c>/events</c> stream: its <c>id:</c> (the job's sequence number), type and data.</summary>
public sealed record JobEvent(long Id, string Type, JsonElement Data)
{
    public string? DocumentId => Data.TryGetProperty("documentId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    public override string ToString() => $"{Id} {Type} {Data.GetRawText()}";
}

/// <summary>The ingestion API as the contract describes it, called over HTTP: start a job, follow its events with the
/// runtime's SSE parser (the events' ids matter here, which <see cref="Infrastructure.SseReader"/> leaves out), read JSON.</summary>
public static class IngestApi
{
    public const string ApiKeyHeader = "X-Api-Key";
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public static async Task<HttpResponseMessage> PostIngestAsync(this HttpClient client, string json)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        return await client.PostAsync("/api/ingest", Json(json), timeout.Token);
    }

    /// <summary>POSTs the job and checks the 202: a <c>Location</c> of <c>/api/ingest/{jobId}</c> and a body <c>{jobId}</c> that agree.</summary>
    public static async Task<Guid> StartJobAsync(this HttpClient client, object body)
    {
        using var response = await client.PostIngestAsync(JsonSerializer.Serialize(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/ingest answered {(int)response.StatusCode}: {text}");
        var jobId = JsonDocument.Parse(text).RootElement.GetProperty("jobId").GetGuid();
        Assert.NotNull(response.Headers.Location);
        Assert.Equal($"/api/ingest/{jobId}", response.Headers.Location!.OriginalString.Replace("http://localhost", "", StringComparison.Ordinal));
        return jobId;
    }

    /// <summary>Follows <c>/api/ingest/{jobId}/events</c> (from <paramref name="lastEventId"/> when given) until <c>job-done</c>,
    /// then checks that the stream ends; or until <paramref name="stopAfter"/> events, then disconnects.</summary>
    public static async Task<List<JobEvent>> ReadEventsAsync(this HttpClient client, Guid jobId, long? lastEventId = null, int? stopAfter = null,
        TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/ingest/{jobId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is { } last)
        {
            request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var events = new List<JobEvent>();
        using var deadline = new CancellationTokenSource(timeout ?? JobTimeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Assert.Fail($"GET /api/ingest/{jobId}/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(deadline.Token)}");
            }
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            await using var items = SseParser.Create(body).EnumerateAsync(deadline.Token).GetAsyncEnumerator(deadline.Token);
            while (await items.MoveNextAsync())
            {
                var item = items.Current;
                Assert.True(long.TryParse(item.EventId, out var id), $"An event without a numeric id: {item.EventType} id '{item.EventId}' {item.Data}");
                events.Add(new JobEvent(id, item.EventType, JsonDocument.Parse(item.Data).RootElement.Clone()));
                if (events.Count == stopAfter)
                {
                    return events;
                }
                if (item.EventType == "job-done")
                {
                    if (await items.MoveNextAsync())
                    {
                        Assert.Fail($"An event after job-done: {items.Current.EventType} {items.Current.Data}. Before it: {Describe(events)}");
                    }
                    return events;
                }
            }
            return events; // ended without job-done: the caller's assertions say what is missing
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"The events of job {jobId} (after {lastEventId?.ToString() ?? "none"}) did not reach " +
                $"{(stopAfter is null ? "job-done" : $"{stopAfter} events")} within {timeout ?? JobTimeout}; got: {Describe(events)}");
        }
    }

    public static string Describe(IEnumerable<JobEvent> events) => string.Join("\n  ", events.Select(e => e.ToString()).Prepend(""));

    /// <summary>GETs <paramref name="path"/>, expects <paramref name="expected"/> and returns the JSON body.</summary>
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        using var response = await client.GetAsync(path, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        Assert.True(response.StatusCode == expected, $"GET {path} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> SearchAsync(this HttpClient client, object body)
    {
        var (status, json) = await client.TrySearchAsync(body);
        Assert.True(status == HttpStatusCode.OK, $"POST /api/search answered {(int)status}: {json.GetRawText()}");
        return json;
    }

    /// <summary><c>POST /api/search</c>: the status and the JSON body (results or a problem).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> TrySearchAsync(this HttpClient client, object body)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        using var response = await client.PostAsJsonAsync("/api/search", body, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary><c>/api/documents/{id}</c> with the id escaped as one path segment (the contract's form).</summary>
    public static string DocumentPath(string documentId) => $"/api/documents/{Uri.EscapeDataString(documentId)}";

    /// <summary>All pages of <c>/api/documents</c> for <paramref name="query"/> (e.g. <c>title=x</c>), following <c>next</c>.</summary>
    public static async Task<(List<JsonElement> Items, List<JsonElement> Pages)> ListAllDocumentsAsync(this HttpClient client, string query, int limit)
    {
        var items = new List<JsonElement>();
        var pages = new List<JsonElement>();
        string? after = null;
        do
        {
            var page = await client.GetJsonAsync($"/api/documents?{query}&limit={limit}{(after is null ? "" : $"&after={Uri.EscapeDataString(after)}")}");
            pages.Add(page);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            Assert.True(pages.Count <= 100, "More than 100 pages: `next` does not advance.");
        }
        while (after is not null);
        return (items, pages);
    }

    /// <summary>Polls <paramref name="probe"/> until it holds, for at most <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> probe, TimeSpan timeout, Func<string> failure)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await probe())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Not within {timeout}: {failure()}");
            }
            await Task.Delay(200);
        }
    }

    public static string String(this JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidOperationException($"{property} is null in {element.GetRawText()}");

    public static int Int(this JsonElement element, string property) => element.GetProperty(property).GetInt32();
}
