using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AspireMmRag.Evaluation;

/// <summary>A failure this tool explains and stops on (exit code 2), with no stack trace.</summary>
public sealed class EvaluationException(string message) : Exception(message);

/// <summary>
/// The gateway calls the evaluation makes. Every call has its own timeout on top of the caller's cancellation (Ctrl-C); a
/// timeout, a refused connection or an error answer becomes an <see cref="EvaluationException"/> naming the gateway and what
/// to do.
/// </summary>
public sealed class GatewayClient(Uri gateway, string? apiKey, TimeSpan requestTimeout) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // No HttpClient.Timeout: each call sets its own (the event stream runs for minutes, an ask for seconds).
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
    {
        BaseAddress = gateway,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public Uri Gateway => gateway;

    /// <summary>Any HTTP answer from the gateway's root means it is up; no answer is a clear error.</summary>
    public async Task CheckReachableAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "/"), TimeSpan.FromSeconds(15), cancellationToken);
    }

    /// <summary>The document as the catalog holds it; null when it is not indexed (404) or when the gateway has no catalog (503).</summary>
    public async Task<(DocumentDetail? Document, HttpStatusCode Status)> GetDocumentAsync(string documentId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, $"/api/documents/{Uri.EscapeDataString(documentId)}"), requestTimeout, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable)
        {
            return (null, response.StatusCode);
        }
        await EnsureSuccessAsync(response, $"GET /api/documents/{documentId}", cancellationToken);
        return (await ReadJsonAsync<DocumentDetail>(response, cancellationToken), response.StatusCode);
    }

    /// <summary>POST /api/ask (JSON). A 429 (the gateway's ask queue is full) is waited out per Retry-After, a few times.</summary>
    public async Task<AskAnswer> AskAsync(AskBody body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "/api/ask")
            {
                Content = JsonContent.Create(body, options: Json),
                Headers = { { "Accept", "application/json" } },
            }, requestTimeout, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 5)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2 * attempt);
                await Task.Delay(wait, cancellationToken);
                continue;
            }
            await EnsureSuccessAsync(response, "POST /api/ask", cancellationToken);
            return await ReadJsonAsync<AskAnswer>(response, cancellationToken);
        }
    }

    /// <summary>POST /api/ingest {"folder": root}, then the job's event stream until <c>job-done</c> (reconnecting with
    /// Last-Event-ID when the stream drops), all within <paramref name="jobTimeout"/>.</summary>
    public async Task<JobDone> IngestFolderAsync(string folder, TimeSpan jobTimeout, Action<string> log, CancellationToken cancellationToken)
    {
        using var post = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = JsonContent.Create(new IngestBody(folder), options: Json) };
            if (apiKey is not null)
            {
                request.Headers.Add("X-Api-Key", apiKey);
            }
            return request;
        }, requestTimeout, cancellationToken);
        switch (post.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                throw new EvaluationException("POST /api/ingest answered 401: the gateway needs an API key. Pass --api-key KEY (the AppHost's " +
                    "gateway-api-key: dotnet user-secrets list --project AppHost) or set MMRAG_API_KEY.");
            case HttpStatusCode.Forbidden:
                throw new EvaluationException("POST /api/ingest answered 403: the API key is wrong (dotnet user-secrets list --project AppHost → gateway-api-key).");
            case HttpStatusCode.BadRequest:
                throw new EvaluationException($"POST /api/ingest answered 400: {await ProblemAsync(post, cancellationToken)}. The folder root \"{folder}\" " +
                    "must be one of the gateway's Ingestion:FolderRoots: start the AppHost with --Ingest:Folders:0=samples --Ingest:Folders:1=eval/golden.");
        }
        await EnsureSuccessAsync(post, "POST /api/ingest", cancellationToken);
        var accepted = await ReadJsonAsync<IngestAccepted>(post, cancellationToken);
        log($"ingest job {accepted.JobId} accepted; following /api/ingest/{accepted.JobId}/events");

        using var jobCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        jobCts.CancelAfter(jobTimeout);
        string? lastEventId = null;
        var drops = 0;
        try
        {
            while (true)
            {
                try
                {
                    var done = await FollowEventsAsync(accepted.JobId, lastEventId, id => lastEventId = id, log, jobCts.Token);
                    if (done is not null)
                    {
                        return done;
                    }
                }
                catch (HttpRequestException ex) when (!jobCts.IsCancellationRequested && drops < 5)
                {
                    log($"event stream dropped ({ex.Message}); reconnecting after event {lastEventId ?? "none"}");
                }
                catch (IOException ex) when (!jobCts.IsCancellationRequested && drops < 5)
                {
                    log($"event stream dropped ({ex.Message}); reconnecting after event {lastEventId ?? "none"}");
                }
                drops++;
                if (drops > 5)
                {
                    throw new EvaluationException($"the event stream of ingest job {accepted.JobId} ended {drops} times without job-done.");
                }
                await Task.Delay(TimeSpan.FromSeconds(2), jobCts.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EvaluationException($"ingest job {accepted.JobId} did not finish within {jobTimeout.TotalSeconds:0} s (--ingest-timeout); " +
                $"see GET {gateway}api/ingest/{accepted.JobId}.");
        }
    }

    /// <summary>Reads the job's Server-Sent Events; the job-done data, or null when the stream ended before it.</summary>
    private async Task<JobDone?> FollowEventsAsync(Guid jobId, string? lastEventId, Action<string> onEventId, Action<string> log, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/ingest/{jobId}/events");
        request.Headers.Add("Accept", "text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, $"GET /api/ingest/{jobId}/events", cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? eventName = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (eventName is not null)
                {
                    if (eventName == "job-done")
                    {
                        return JsonSerializer.Deserialize<JobDone>(data.ToString(), Json);
                    }
                    if (eventName is "document-done" or "document-failed" or "image-failed")
                    {
                        log($"  {eventName}: {data}");
                    }
                }
                eventName = null;
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                eventName = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line["data:".Length..].TrimStart());
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                onEventId(line["id:".Length..].Trim());
            }
        }
        return null;
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = create();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token);
            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EvaluationException($"{request.Method} {request.RequestUri} got no answer from the gateway at {gateway} within " +
                $"{timeout.TotalSeconds:0} s (--timeout).");
        }
        catch (HttpRequestException ex)
        {
            throw new EvaluationException($"the gateway at {gateway} is not reachable ({ex.Message}). Start the system with: dotnet run " +
                "--project AppHost -- --Ingest:Folders:0=samples --Ingest:Folders:1=eval/golden --Ingest:WikipediaTitles= " +
                "and wait until the gateway is up, or pass --gateway URL.");
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string call, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new EvaluationException($"{call} answered {(int)response.StatusCode} {response.ReasonPhrase}: {await ProblemAsync(response, cancellationToken)}");
        }
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonSerializer.Deserialize<ProblemDetails>(body, Json);
            if (problem?.Detail is { Length: > 0 } detail)
            {
                return detail;
            }
            if (problem?.Title is { Length: > 0 } title)
            {
                return title;
            }
        }
        catch (JsonException)
        {
        }
        return body.Length > 300 ? body[..300] + "…" : body.Length == 0 ? "(no body)" : body;
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new EvaluationException($"{response.RequestMessage?.RequestUri} answered an empty body.");

    public void Dispose() => _http.Dispose();
}
