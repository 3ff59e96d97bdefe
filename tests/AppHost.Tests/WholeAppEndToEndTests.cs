using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AspireMmRag.AppHost.Extensions;
using AspireMmRag.TestModels;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AspireMmRag.AppHost.Tests;

/// <summary>
/// The whole app, started once for the class in local mode: rabbitmq-server as a process, two embedder replicas with the
/// CLIP-shaped test model and arctic-embed-xs, the crawler, the indexer, the gateway with its SQLite catalog and LLamaSharp
/// with stories260K. Everything goes through the gateway's REST API: a fixture folder (three markdown documents, one with a
/// PNG) is ingested and its job followed over Server-Sent Events; a streamed ask cites the right document and brings back
/// its image; the ask's trace — exported by the services over OTLP/HTTP to a receiver in this test — holds the gateway, the
/// embedder, the vector store and the language model; and a burst of 50 searches survives one embedder replica being killed.
/// The steps run in order (<see cref="StepOrderer"/>); each one that needs an earlier one's result awaits it.
/// </summary>
[TestCaseOrderer(StepOrderer.TypeName, StepOrderer.AssemblyName)]
public sealed class WholeAppEndToEndTests(WholeAppFixture app, ITestOutputHelper output) : IClassFixture<WholeAppFixture>
{
    [Fact, Step(1)]
    public async Task Ingests_the_fixture_folder_through_the_api_and_follows_its_events_to_job_done()
    {
        output.WriteLine(app.StartReport);
        await Guard(async () =>
        {
            var ingest = await app.IngestAsync();
            output.WriteLine($"ingest job {ingest.JobId}: {ingest.Events.Count} events in {ingest.Duration.TotalSeconds:F1} s");
            foreach (var e in ingest.Events)
            {
                output.WriteLine($"  {e.Id} {e.Type} {e.Data}");
            }

            Assert.Equal(Enumerable.Range(1, ingest.Events.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ingest.Events.Select(e => e.Id));
            var last = ingest.Events[^1];
            Assert.Equal("job-done", last.Type);
            Assert.Equal("done", last.Data.GetProperty("state").GetString());
            Assert.Equal(WholeAppFixture.Documents.Length, last.Data.GetProperty("documents").GetInt32());
            Assert.Equal(0, last.Data.GetProperty("failed").GetInt32());
            Assert.DoesNotContain(ingest.Events, e => e.Type is "document-failed" or "image-failed");

            var done = ingest.Events.Where(e => e.Type == "document-done").ToDictionary(e => Path.GetFileName(e.Data.GetProperty("documentId").GetString()!));
            Assert.Equal(WholeAppFixture.Documents.Order(), done.Keys.Order());
            Assert.All(done.Values, e => Assert.True(e.Data.GetProperty("passages").GetInt32() > 0, e.Data.ToString()));
            Assert.Equal(1, done[WholeAppFixture.ImageDocument].Data.GetProperty("images").GetInt32());
            Assert.Contains(ingest.Events, e => e.Type == "document-started");

            using var status = await app.Http.GetAsync($"/api/ingest/{ingest.JobId}");
            var job = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("done", job.GetProperty("state").GetString());
        });
    }

    [Fact, Step(2)]
    public async Task A_streamed_ask_cites_the_right_document_returns_its_image_and_ends_with_done_from_the_model()
    {
        await Guard(async () =>
        {
            var ask = await app.AskAsync();
            output.WriteLine($"ask ({ask.Duration.TotalSeconds:F1} s, trace {ask.TraceId}): {string.Join(", ", ask.Events.GroupBy(e => e.Type).Select(g => $"{g.Count()} {g.Key}"))}");

            Assert.Equal("sources", ask.Events[0].Type);
            Assert.Equal("done", ask.Events[^1].Type);
            Assert.DoesNotContain(ask.Events, e => e.Type == "error");
            Assert.Contains(ask.Events, e => e.Type == "delta");

            var sources = ask.Events[0].Data;
            var citations = sources.GetProperty("citations").EnumerateArray().ToList();
            output.WriteLine("citations: " + string.Join(" | ", citations.Select(c => $"[{c.GetProperty("number")}] {c.GetProperty("documentId")} {c.GetProperty("score")}")));
            Assert.NotEmpty(citations);
            Assert.EndsWith(WholeAppFixture.ImageDocument, citations[0].GetProperty("documentId").GetString());

            var images = sources.GetProperty("images").EnumerateArray().ToList();
            output.WriteLine("images: " + string.Join(" | ", images.Select(i => $"{i.GetProperty("caption")} ({i.GetProperty("documentId")}, {i.GetProperty("score")})")));
            var image = Assert.Single(images, i => i.GetProperty("documentId").GetString()!.EndsWith(WholeAppFixture.ImageDocument, StringComparison.Ordinal));
            Assert.Contains("lighthouse", image.GetProperty("caption").GetString(), StringComparison.OrdinalIgnoreCase);
            using var bytes = await app.Http.GetAsync(image.GetProperty("url").GetString());
            Assert.Equal(HttpStatusCode.OK, bytes.StatusCode);
            Assert.Equal("image/png", bytes.Content.Headers.ContentType?.MediaType);
            Assert.Equal(WholeAppFixture.LighthousePng, await bytes.Content.ReadAsByteArrayAsync());

            var done = ask.Events[^1].Data;
            output.WriteLine($"done: {done}");
            Assert.Equal("llm", done.GetProperty("mode").GetString());
            Assert.False(string.IsNullOrWhiteSpace(done.GetProperty("model").GetString()), done.ToString());
            Assert.False(string.IsNullOrWhiteSpace(done.GetProperty("answer").GetString()), done.ToString());
        });
    }

    [Fact, Step(3)]
    public async Task The_asks_trace_holds_the_gateway_the_embedder_the_vector_store_and_the_language_model()
    {
        await Guard(async () =>
        {
            var ask = await app.AskAsync();
            var trace = await app.WaitForTraceAsync(ask.TraceId, TimeSpan.FromSeconds(90));
            output.WriteLine($"trace {ask.TraceId}: {trace.Spans.Count} spans, its four parts all received {trace.CompleteAfter?.TotalSeconds:F1} s after this step began " +
                $"({app.Otlp.TraceRequests} OTLP trace exports received, {app.Otlp.Spans.Count} spans in all, {app.Otlp.Rejected} rejected)");
            foreach (var span in trace.Spans)
            {
                output.WriteLine("  " + span);
            }

            Assert.True(trace.Gateway is not null, "no gateway server span 'POST /api/ask' in the trace");
            Assert.Equal(ask.ParentSpanId, trace.Gateway.ParentSpanId);
            Assert.True(trace.Embedder.Count > 0, "no span from the embedder in the trace");
            Assert.True(trace.VectorStore.Count > 0, $"no span of the {VectorStoreSource} source in the trace");
            Assert.All(trace.VectorStore, span => Assert.Equal("gateway", span.Service));
            var chat = Assert.Single(trace.Chat);
            output.WriteLine("chat span attributes: " + string.Join(", ", chat.Attributes.Select(a => $"{a.Key}={(a.Value.Length > 60 ? a.Value[..60].ReplaceLineEndings(" ") + "…" : a.Value)}")));
            Assert.Equal("gateway", chat.Service);
            Assert.Equal("chat", chat.Attributes.GetValueOrDefault("gen_ai.operation.name"));
            Assert.False(string.IsNullOrEmpty(chat.Attributes.GetValueOrDefault("gen_ai.request.model")), string.Join(", ", chat.Attributes));

            // One trace: every span hangs from another span of it, up to the gateway's request (whose parent is the test's).
            var ids = trace.Spans.Select(s => s.SpanId).ToHashSet();
            var orphans = trace.Spans.Where(s => s != trace.Gateway && !ids.Contains(s.ParentSpanId)).ToList();
            Assert.True(orphans.Count == 0, "spans whose parent is not in the trace: " + string.Join("; ", orphans));
        });
    }

    [Fact, Step(5)]
    public async Task The_ingest_reads_as_one_trace_from_the_gateway_through_crawler_indexer_embedder_and_store_to_the_catalog()
    {
        await Guard(async () =>
        {
            var ingest = await app.IngestAsync();
            (string Name, Func<ReceivedSpan, bool> Test)[] parts =
            [
                ("gateway POST /api/ingest", s => WholeAppFixture.IsService(s, "gateway") && s.Kind == 2 && s.Name.Contains("/api/ingest", StringComparison.Ordinal)),
                ("crawler", s => WholeAppFixture.IsService(s, "crawler")),
                ("indexer 'index document'", s => WholeAppFixture.IsService(s, "indexer") && s.Name == "index document"),
                ("embedder", s => WholeAppFixture.IsService(s, "embedder")),
                ("vector store", s => s.Scope == VectorStoreSource && WholeAppFixture.IsService(s, "indexer")),
                ("gateway 'catalog apply'", s => WholeAppFixture.IsService(s, "gateway") && s.Name == "catalog apply"),
            ];
            var spans = await app.WaitForSpansAsync(ingest.TraceId, [.. parts.Select(p => p.Test)], TimeSpan.FromSeconds(30));
            output.WriteLine($"ingest trace {ingest.TraceId}: {spans.Count} spans");
            foreach (var group in spans.GroupBy(s => (s.Service, s.Name)).OrderBy(g => g.Key.Service))
            {
                output.WriteLine($"  {group.Count()} × {group.Key.Service} '{group.Key.Name}'");
            }
            foreach (var (name, test) in parts)
            {
                Assert.True(spans.Any(test), $"the ingest's trace has no span of: {name}");
            }
        });
    }

    [Fact, Step(4)]
    public async Task A_burst_of_50_searches_survives_one_embedder_replica_being_killed()
    {
        await Guard(async () =>
        {
            await app.IngestAsync(); // something to find
            var burst = await app.SearchBurstKillingOneReplicaAsync(50);
            output.WriteLine(burst.Report);
            Assert.True(burst.KilledDuringBurst, "the replica was killed after the burst had ended: " + burst.Report);
            Assert.True(burst.Succeeded >= 49, burst.Report);
            Assert.True(burst.SearchAfterwardsOk, burst.Report);
        });
    }

    private const string VectorStoreSource = "AspireMmRag.VectorStore";

    private async Task Guard(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch
        {
            output.WriteLine(app.LogTail(400));
            throw;
        }
    }
}

/// <summary>The running app the steps of <see cref="WholeAppEndToEndTests"/> share, and what each step leaves for the next.</summary>
public sealed class WholeAppFixture : IAsyncLifetime
{
    public const string CorpusName = "e2e-corpus";
    public const string ImageDocument = "varjosaari-lighthouse.md";
    public static readonly string[] Documents = [ImageDocument, "rye-bakery.md", "tram-depot.md"];
    public static readonly byte[] LighthousePng = TestImages.SolidPng(230, 20, 20, 96, 96);

    private static readonly string[] LoggedResources = ["messaging", "embedder", "indexer", "crawler", "gateway"];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(15));
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ResourceEvent> _embedders = new();
    private readonly List<string> _report = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private DistributedApplication? _app;
    private ResourceLogs? _logs;
    private Task<IngestResult>? _ingest;
    private Task<AskResult>? _ask;
    private string _apiKey = "";

    private string Corpus => Path.Combine(_root, CorpusName);
    private string Clip => Path.Combine(_root, "clip");
    private string Data => Path.Combine(_root, "data");

    public OtlpTraceReceiver Otlp { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string StartReport => string.Join(Environment.NewLine, _report);

    public async Task InitializeAsync()
    {
        // Assets first: a missing one throws here, so every step fails (never skips), on CI as anywhere.
        var gguf = TestAssets.TinyLlamaGguf;
        WriteCorpus();
        Directory.CreateDirectory(Clip);
        ClipTestModels.WriteSplit(Clip, TestAssets.ClipVocabJson);
        File.Copy(TestAssets.ClipVocabJson, Path.Combine(Clip, "vocab.json"));
        File.Copy(TestAssets.ClipMerges, Path.Combine(Clip, "merges.txt"));

        var cancellationToken = _stop.Token;
        using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startTimeout.CancelAfter(TimeSpan.FromMinutes(6));
        Otlp = await OtlpTraceReceiver.StartAsync(cancellationToken);
        Note($"OTLP receiver on {Otlp.Endpoint}");

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            "--Infra:Mode=local",
            $"--Infra:RabbitMQ:Port={FreePorts.Next(alsoFreeOffset: 20000)}",
            $"--Gateway:Port={FreePorts.Next()}",
            $"--Data:Directory={Data}",
            $"--Ingest:Folders:0={Corpus}",
            "--Ingest:WikipediaTitles=",
            $"--Embedder:ClipDirectory={Clip}",
            "--Embedder:AutoDownload=false",
            "--Embedder:Replicas=2",
            "--Llm:Provider=LlamaSharp",
            $"--Llm:ModelPath={gguf}",
        ], startTimeout.Token);

        // Every service exports its telemetry to this test's receiver, over OTLP/HTTP with protobuf. These callbacks are added
        // after the AppHost's own (Aspire's OTLP settings among them), so they have the last word.
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(context =>
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Otlp.Endpoint;
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "250";
                context.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] = "60000";
                context.EnvironmentVariables.TryAdd("OTEL_SERVICE_NAME", project.Name);
            });
        }
        // The folder is ingested through POST /api/ingest, not by the crawler's start-up seed: the crawler may read the root
        // (Crawler__Folders__Roots) but seeds nothing.
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "crawler")).WithEnvironment(context =>
        {
            foreach (var key in context.EnvironmentVariables.Keys.Where(k => k.StartsWith("Crawler__Seed__Folders", StringComparison.Ordinal)).ToList())
            {
                context.EnvironmentVariables.Remove(key);
            }
            context.EnvironmentVariables["Crawler__Seed__Folders"] = "";
        });

        _app = await builder.BuildAsync(startTimeout.Token);
        _logs = ResourceLogs.Capture(_app, LoggedResources);
        _ = WatchEmbeddersAsync(_app, cancellationToken);
        try
        {
            await _app.StartAsync(startTimeout.Token);
            Note("app started");
            foreach (var resource in new[] { "messaging", "indexer", "gateway", "crawler" })
            {
                await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startTimeout.Token);
                Note($"{resource} healthy");
            }
            while (HealthyEmbedders().Count < 2)
            {
                await Task.Delay(250, startTimeout.Token);
            }
            Note($"2 embedder replicas healthy: {string.Join(", ", HealthyEmbedders().Select(e => $"{e.ResourceId} pid {Pid(e)}"))}");
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"The app did not start: {ex.Message}{Environment.NewLine}{StartReport}{Environment.NewLine}{LogTail(400)}", ex);
        }

        // A plain client on the gateway's endpoint: no resilience handler (no retried requests), no trace header of its own.
        Http = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = _app.GetEndpoint("gateway", "http"),
            Timeout = TimeSpan.FromMinutes(3),
        };
        var parameter = _app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == GatewayApiKeyExtensions.ParameterName);
        _apiKey = await parameter.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("The API key has no value.");
        Note($"gateway at {Http.BaseAddress}");
    }

    private void Note(string what) => _report.Add($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private void WriteCorpus()
    {
        Directory.CreateDirectory(Corpus);
        File.WriteAllText(Path.Combine(Corpus, ImageDocument), """
            # The Varjosaari lighthouse

            The lighthouse on Varjosaari island was built in 1871 from granite quarried on the island itself.
            Its tower is painted red, and its lamp turns once every twelve seconds from dusk until dawn.
            The keeper's cottage beside it is now a small museum about the pilots of the archipelago.

            ![The red lighthouse of Varjosaari at dusk](lighthouse.png)

            ## Visiting

            A ferry from the mainland harbour reaches Varjosaari twice a day between June and August.
            """);
        File.WriteAllText(Path.Combine(Corpus, "rye-bakery.md"), """
            # The rye bakery on Mill Street

            The bakery on Mill Street bakes sourdough rye bread in a wood-fired oven every morning at four.
            Its starter dough has been kept alive since 1952, and the loaves are sold warm from seven o'clock.

            ## Pastries

            On Saturdays the bakers also make cardamom buns and blueberry pies.
            """);
        File.WriteAllText(Path.Combine(Corpus, "tram-depot.md"), """
            # The old tram depot

            The tram depot on the west side of the city housed wooden trams until 1970.
            Today its brick halls hold a cinema, a climbing wall and a market for local farmers.

            ## The trams

            Two restored trams from 1919 still run on the heritage line on summer Sundays.
            """);
        File.WriteAllBytes(Path.Combine(Corpus, "lighthouse.png"), LighthousePng);
    }

    /// <summary>Keeps the latest snapshot of each embedder replica (each has its own resource id, process and port).</summary>
    private async Task WatchEmbeddersAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                if (change.Resource.Name == "embedder")
                {
                    _embedders[change.ResourceId] = change;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private List<ResourceEvent> HealthyEmbedders() =>
        [.. _embedders.Values.Where(e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            .OrderBy(e => e.ResourceId, StringComparer.Ordinal)];

    private static int? Pid(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
        && int.TryParse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;

    public string LogTail(int lines) =>
        _logs is null ? "(no resource logs)" : string.Join(Environment.NewLine, _logs.Dump().Split(Environment.NewLine).TakeLast(lines));

    // ---- Step 1: ingest ----------------------------------------------------------------------------------------------------

    public sealed record SseEvent(string Type, string? Id, JsonElement Data);

    public sealed record IngestResult(string JobId, IReadOnlyList<SseEvent> Events, TimeSpan Duration, string TraceId);

    /// <summary>POST /api/ingest of the fixture folder (once for the class), then its events until <c>job-done</c>.</summary>
    public Task<IngestResult> IngestAsync() => _ingest ??= IngestOnceAsync();

    private async Task<IngestResult> IngestOnceAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(4));
        var started = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = JsonContent.Create(new { folder = CorpusName }) };
        request.Headers.Add("X-Api-Key", _apiKey);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var accepted = await Http.SendAsync(request, timeout.Token);
        var body = await accepted.Content.ReadAsStringAsync(timeout.Token);
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"POST /api/ingest: {(int)accepted.StatusCode} {body}");
        var jobId = JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;

        using var events = new HttpRequestMessage(HttpMethod.Get, $"/api/ingest/{jobId}/events");
        events.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var received = await ReadEventsAsync(events, stopAfter: "job-done", timeout.Token);
        return new IngestResult(jobId, received, started.Elapsed, traceId);
    }

    /// <summary>Reads a Server-Sent Events response with the BCL's parser until the stream ends or <paramref name="stopAfter"/>.</summary>
    private async Task<List<SseEvent>> ReadEventsAsync(HttpRequestMessage request, string? stopAfter, CancellationToken cancellationToken)
    {
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var received = new List<SseEvent>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            received.Add(new SseEvent(item.EventType, item.EventId, JsonDocument.Parse(item.Data).RootElement.Clone()));
            if (item.EventType == stopAfter)
            {
                break;
            }
        }
        return received;
    }

    // ---- Step 2: ask -------------------------------------------------------------------------------------------------------

    public const string Question = "What colour is the Varjosaari lighthouse, and how often does its lamp turn? Show the red lighthouse.";

    public sealed record AskResult(string TraceId, string ParentSpanId, IReadOnlyList<SseEvent> Events, TimeSpan Duration);

    /// <summary>The streamed ask (once for the class), sent with a <c>traceparent</c> of the test's own, so its trace is known.</summary>
    public Task<AskResult> AskAsync() => _ask ??= AskOnceAsync();

    private async Task<AskResult> AskOnceAsync()
    {
        await IngestAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var parentSpanId = ActivitySpanId.CreateRandom().ToHexString();
        var started = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ask") { Content = JsonContent.Create(new { question = Question }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{parentSpanId}-01");
        var events = await ReadEventsAsync(request, stopAfter: null, timeout.Token);
        return new AskResult(traceId, parentSpanId, events, started.Elapsed);
    }

    // ---- Step 3: the trace -------------------------------------------------------------------------------------------------

    public sealed record TraceParts(IReadOnlyList<ReceivedSpan> Spans, ReceivedSpan? Gateway, IReadOnlyList<ReceivedSpan> Embedder,
        IReadOnlyList<ReceivedSpan> VectorStore, IReadOnlyList<ReceivedSpan> Chat)
    {
        public TimeSpan? CompleteAfter { get; init; }
    }

    /// <summary>Waits until the trace holds the gateway's request span, an embedder span, a vector-store span and the chat span,
    /// then a little longer for the spans still in the exporters' batches.</summary>
    public async Task<TraceParts> WaitForTraceAsync(string traceId, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var settled = TimeSpan.Zero;
        while (true)
        {
            var parts = Parts(Otlp.Trace(traceId));
            var complete = parts.Gateway is not null && parts.Embedder.Count > 0 && parts.VectorStore.Count > 0 && parts.Chat.Count > 0;
            if (complete && settled == TimeSpan.Zero)
            {
                settled = deadline.Elapsed;
            }
            if ((complete && deadline.Elapsed - settled > TimeSpan.FromSeconds(2)) || deadline.Elapsed > timeout)
            {
                return parts with { CompleteAfter = complete ? settled : null };
            }
            await Task.Delay(250, _stop.Token);
        }
    }

    private static TraceParts Parts(IReadOnlyList<ReceivedSpan> spans) => new(
        spans,
        spans.FirstOrDefault(s => IsService(s, "gateway") && s.Kind == 2 && s.Name.Contains("/api/ask", StringComparison.Ordinal)),
        [.. spans.Where(s => IsService(s, "embedder"))],
        [.. spans.Where(s => s.Scope == "AspireMmRag.VectorStore")],
        [.. spans.Where(s => s.Scope == "Experimental.Microsoft.Extensions.AI" && s.Name.StartsWith("chat", StringComparison.Ordinal))]);

    /// <summary>The spans of <paramref name="traceId"/> once every part in <paramref name="parts"/> has at least one, or what
    /// arrived when <paramref name="timeout"/> ends.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(string traceId, IReadOnlyList<Func<ReceivedSpan, bool>> parts, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var spans = Otlp.Trace(traceId);
            if (parts.All(part => spans.Any(part)) || deadline.Elapsed > timeout)
            {
                return spans;
            }
            await Task.Delay(250, _stop.Token);
        }
    }

    public static bool IsService(ReceivedSpan span, string resource) =>
        span.Service == resource || span.Service.StartsWith(resource + "-", StringComparison.Ordinal);

    // ---- Step 4: a replica killed during a burst ---------------------------------------------------------------------------

    public sealed record BurstResult(int Succeeded, bool KilledDuringBurst, bool SearchAfterwardsOk, string Report);

    /// <summary>Starts <paramref name="count"/> concurrent searches with long queries (a few hundred tokens each, so the
    /// embedders are busy for a while) and kills one embedder replica — its whole process tree, SIGKILL — from a thread of
    /// its own, half a warm-up search's latency after the burst began, while the calls are in flight; then counts the
    /// searches that succeeded.</summary>
    public async Task<BurstResult> SearchBurstKillingOneReplicaAsync(int count)
    {
        var replicas = HealthyEmbedders();
        Assert.True(replicas.Count == 2, $"{replicas.Count} healthy embedder replicas before the burst");
        var victim = replicas[0];
        var pid = Pid(victim) ?? throw new InvalidOperationException($"{victim.ResourceId} has no executable.pid property: " +
            string.Join(", ", victim.Snapshot.Properties.Select(p => p.Name)));
        using var process = Process.GetProcessById(pid);
        var commandLine = File.Exists($"/proc/{pid}/cmdline") ? File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim() : "?";
        var tree = ProcessTree(pid);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var clock = Stopwatch.StartNew();

        // Warm-up: how long such a search takes here, now (both replicas up), ten at a time.
        var warmUp = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SearchAsync(1000 + i, ActivityTraceId.CreateRandom().ToHexString(), clock, timeout.Token)));
        Assert.True(warmUp.All(r => r.Ok), "warm-up searches failed: " + string.Join("; ", warmUp.Where(r => !r.Ok).Select(r => r.Outcome)));
        var killDelay = TimeSpan.FromMilliseconds(Math.Clamp(Percentile(warmUp, 0.5) / 2, 30, 3000));

        var traceIds = Enumerable.Range(0, count).Select(_ => ActivityTraceId.CreateRandom().ToHexString()).ToArray();
        var completedAtKill = -1;
        var killedAt = TimeSpan.Zero;
        Task<SearchOutcome>[] searches = [];
        using var searchesStarted = new ManualResetEventSlim();
        var killer = new Thread(() =>
        {
            searchesStarted.Wait();
            var burstStart = clock.Elapsed;
            while (clock.Elapsed - burstStart < killDelay)
            {
                Thread.Sleep(5);
            }
            completedAtKill = searches.Count(s => s.IsCompleted);
            process.Kill(entireProcessTree: true);
            killedAt = clock.Elapsed - burstStart;
        }) { IsBackground = true, Priority = ThreadPriority.Highest, Name = "replica killer" };
        killer.Start();
        var burstStarted = clock.Elapsed;
        searches = [.. Enumerable.Range(0, count).Select(i => SearchAsync(i, traceIds[i], clock, timeout.Token))];
        searchesStarted.Set();
        var results = await Task.WhenAll(searches);
        var burstEnded = clock.Elapsed - burstStarted;
        killer.Join(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token); // the embedders' last span batches
        var burstTraces = traceIds.ToHashSet();
        var served = Otlp.Spans.Where(s => burstTraces.Contains(s.TraceId) && IsService(s, "embedder") && s.Kind == 2)
            .GroupBy(s => s.ServiceInstance).Select(g => $"{(g.Key.Length > 0 ? g.Key : "?")}: {g.Count()}");
        var retried = Otlp.Spans.Count(s => burstTraces.Contains(s.TraceId) && s.Attributes.TryGetValue("embedder.attempts", out var a) && a != "1");
        var failures = results.Where(r => !r.Ok).Select(r => $"#{r.Index} {r.Outcome}").ToList();
        var victimState = _embedders.TryGetValue(victim.ResourceId, out var after) ? after.Snapshot.State?.Text : "?";
        var afterwards = await SearchAsync(count, ActivityTraceId.CreateRandom().ToHexString(), clock, timeout.Token);
        var succeeded = results.Count(r => r.Ok);
        var report = $"""
            warm-up: 10 searches, p50 {Percentile(warmUp, 0.5):F0} ms, so the kill comes {killDelay.TotalMilliseconds:F0} ms into the burst
            killed {victim.ResourceId} (pid {pid}: {commandLine}; process tree {string.Join(",", tree)}) {killedAt.TotalMilliseconds:F0} ms into the burst, {completedAtKill} of {count} searches done by then
            burst: {succeeded}/{count} succeeded, ended after {burstEnded.TotalMilliseconds:F0} ms; latencies p50 {Percentile(results, 0.5):F0} ms, max {results.Max(r => r.Milliseconds):F0} ms
            embedder server spans of the burst exported per replica instance (the killed one's unexported spans are lost): {string.Join("; ", served)}; gateway embedder calls that needed another attempt: {retried}
            failures: {(failures.Count == 0 ? "none" : string.Join("; ", failures))}
            afterwards: {victim.ResourceId} is '{victimState}'; one more search on the surviving replica: {afterwards.Outcome} in {afterwards.Milliseconds:F0} ms
            """;
        return new BurstResult(succeeded, completedAtKill is >= 0 && completedAtKill < count, afterwards.Ok, report);
    }

    /// <summary>A query of a few hundred tokens about the lighthouse (the passage model reads up to 512), different per index.</summary>
    private static string LongQuery(int index) =>
        $"Search {index}: " + string.Join(" ", Enumerable.Range(0, 12).Select(i =>
            $"When does the lamp of the Varjosaari lighthouse turn, who quarried its granite in {1800 + (index * 7 + i) % 200}, and which ferry reaches the island?"));

    private sealed record SearchOutcome(int Index, bool Ok, string Outcome, double Milliseconds);

    private async Task<SearchOutcome> SearchAsync(int index, string traceId, Stopwatch clock, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var started = clock.Elapsed;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/search")
            {
                Content = JsonContent.Create(new { query = LongQuery(index), topK = 3 }),
            };
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await Http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var elapsed = (clock.Elapsed - started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                return new SearchOutcome(index, false, $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}", elapsed);
            }
            var found = JsonDocument.Parse(body).RootElement.GetProperty("text").GetArrayLength() > 0;
            return new SearchOutcome(index, found, found ? "ok" : "200 with no passage", elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new SearchOutcome(index, false, $"{ex.GetType().Name}: {ex.Message}", (clock.Elapsed - started).TotalMilliseconds);
        }
    }

    private static double Percentile(IReadOnlyList<SearchOutcome> results, double p)
    {
        var sorted = results.Select(r => r.Milliseconds).Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
    }

    /// <summary>The process and its descendants, with their command names (from /proc).</summary>
    private static List<string> ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }
        var tree = new List<string>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            string name;
            try
            {
                name = File.ReadAllText($"/proc/{pid}/comm").Trim();
            }
            catch (IOException)
            {
                name = "?";
            }
            tree.Add($"{pid}({name})");
            foreach (var child in parents.Where(p => p.Value == pid).Select(p => p.Key))
            {
                pending.Enqueue(child);
            }
        }
        return tree;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        _logs?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        await _stop.CancelAsync();
        if (Otlp is not null)
        {
            await Otlp.DisposeAsync();
        }
        _stop.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
