using System.Net.Http.Json;
using System.Text.Json;
using AspireMmRag.AppHost.Extensions;
using AspireMmRag.TestModels;
using AspireMmRag.VectorStore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AspireMmRag.AppHost.Tests;

/// <summary>
/// The whole AppHost in local mode (no Docker): rabbitmq-server as a process, the embedder with a CLIP-shaped test model,
/// the crawler, the indexer and the gateway. A fixture folder is ingested at start-up, found in the embedded vector store,
/// through the gateway's search and ask endpoints and in its catalog (GET /api/documents); POST /api/ingest takes the
/// generated API key. Each run
/// has a fresh data directory, so a fresh broker on which no queue, exchange or binding exists yet.
/// </summary>
public sealed class LocalModeIngestionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mmrag-apphost-" + Guid.NewGuid().ToString("N"));
    private string Corpus => Path.Combine(_root, "corpus");
    private string Clip => Path.Combine(_root, "clip");
    private string Data => Path.Combine(_root, "data");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Corpus);
        Directory.CreateDirectory(Clip);
        ClipTestModels.WriteSplit(Clip, TestAssets.ClipVocabJson);
        File.Copy(TestAssets.ClipVocabJson, Path.Combine(Clip, "vocab.json"));
        File.Copy(TestAssets.ClipMerges, Path.Combine(Clip, "merges.txt"));

        File.WriteAllText(Path.Combine(Corpus, "harbour.md"), """
            # The harbour

            Ferries leave the South Harbour for Suomenlinna every half hour in summer.
            The Market Square sells fish, berries and souvenirs.

            ![A red ferry in the harbour](red-ferry.png)

            ## Islands

            Suomenlinna is a sea fortress spread over six islands.
            """);
        File.WriteAllText(Path.Combine(Corpus, "churches.txt"), "Temppeliaukio Church is carved into solid rock. Its copper dome lets in daylight.");
        File.WriteAllBytes(Path.Combine(Corpus, "red-ferry.png"), TestImages.SolidPng(230, 20, 20, 96, 96));
        File.WriteAllBytes(Path.Combine(Corpus, "blue-sea.png"), TestImages.SolidPng(20, 40, 230, 96, 96));
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Ingests_a_folder_into_the_embedded_store_in_local_mode_on_a_fresh_broker(int run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var started = System.Diagnostics.Stopwatch.StartNew();
        output.WriteLine($"run {run}: data directory {Data}");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            "--Infra:Mode=local",
            $"--Infra:RabbitMQ:Port={FreePorts.Next(alsoFreeOffset: 20000)}",
            $"--Data:Directory={Data}",
            $"--Ingest:Folders:0={Corpus}",
            "--Ingest:WikipediaTitles=",
            $"--Embedder:ClipDirectory={Clip}",
            "--Embedder:AutoDownload=false",
            "--Embedder:Replicas=1",
        ], timeout.Token);
        await using var app = await appHost.BuildAsync(timeout.Token);
        using var logs = ResourceLogs.Capture(app, ["messaging", "embedder", "indexer", "crawler", "gateway"]);
        try
        {
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "messaging", "embedder", "indexer", "crawler" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                output.WriteLine($"{resource} healthy after {started.Elapsed.TotalSeconds:F1} s");
            }
            await VerifyIngestedAsync(timeout.Token, started);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
            await VerifyGatewayWiringAsync(app, timeout.Token);
            await VerifyGatewayAsync(app.CreateHttpClient("gateway"), timeout.Token);
            await VerifyCatalogAndIngestApiAsync(app.CreateHttpClient("gateway"), await ApiKeyAsync(app, timeout.Token), timeout.Token);
            output.WriteLine($"{logs.Count} resource log lines captured");
        }
        catch
        {
            output.WriteLine(logs.Dump());
            throw;
        }
    }

    private async Task VerifyIngestedAsync(CancellationToken cancellationToken, System.Diagnostics.Stopwatch started)
    {
        await using var services = ReaderOf(Path.Combine(Data, "vectors"));
        var store = services.GetRequiredService<IVectorStore>();
        var harbour = await WaitForDocumentAsync(store, "harbour.md", minimumImages: 1, cancellationToken);
        var churches = await WaitForDocumentAsync(store, "churches.txt", minimumImages: 0, cancellationToken);
        output.WriteLine($"indexed after {started.Elapsed.TotalSeconds:F1} s: {harbour}, {churches}");

        var passages = await store.SearchPassagesAsync(Unit(384), new VectorSearchOptions { TopK = 100, DocumentIds = [harbour] }, cancellationToken);
        Assert.Contains(passages, hit => hit.Record.Text.Contains("Suomenlinna", StringComparison.Ordinal));
        Assert.All(passages, hit => Assert.Equal("folder", hit.Record.Source));
        var images = await store.SearchImagesAsync(Unit(512), new VectorSearchOptions { TopK = 10, DocumentIds = [harbour] }, cancellationToken);
        Assert.Contains(images, hit => hit.Record.Caption.Contains("red ferry", StringComparison.OrdinalIgnoreCase));
        Assert.True(File.Exists(Path.Combine(Data, "media", images[0].Record.MediaRef[..2], images[0].Record.MediaRef)));
    }

    /// <summary>What the gateway was started with for its ingestion API: the catalog (a SQLite file in the data directory), the
    /// broker, the crawler's folder roots and the generated API key, which the dashboard gets as a sensitive (masked) value.</summary>
    private async Task VerifyGatewayWiringAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var apiKey = await ApiKeyAsync(app, cancellationToken);
        Assert.True(apiKey.Length >= 32, "the generated API key is shorter than 32 characters");

        var gateway = await app.ResourceNotifications.WaitForResourceAsync("gateway",
            e => e.Snapshot.EnvironmentVariables.Any(v => v.Name == "Gateway__ApiKey"), cancellationToken);
        var environment = gateway.Snapshot.EnvironmentVariables.Where(v => v.IsFromSpec).ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal($"Data Source={Path.Combine(Data, "catalog.db")}", environment.GetValueOrDefault("ConnectionStrings__catalog"));
        Assert.StartsWith("amqp://", environment.GetValueOrDefault("ConnectionStrings__messaging"), StringComparison.Ordinal);
        Assert.Equal(Corpus, environment.GetValueOrDefault("Ingestion__FolderRoots__0"));
        Assert.False(environment.ContainsKey("Ingestion__FolderRoots__1"));
        Assert.Equal(apiKey, environment.GetValueOrDefault("Gateway__ApiKey"));

        var parameter = await app.ResourceNotifications.WaitForResourceAsync(GatewayApiKeyExtensions.ParameterName,
            e => e.Snapshot.Properties.Any(p => p.Name == "Value"), cancellationToken);
        Assert.True(parameter.Snapshot.Properties.Single(p => p.Name == "Value").IsSensitive);
    }

    /// <summary>The gateway's API key as the AppHost resolved it (generated here: the test configures none).</summary>
    private static async Task<string> ApiKeyAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var parameter = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == GatewayApiKeyExtensions.ParameterName);
        return await parameter.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("The API key has no value.");
    }

    /// <summary>The gateway finds the ingested document and its image, and answers from it (retrieval-only: no model here).</summary>
    private static async Task VerifyGatewayAsync(HttpClient gateway, CancellationToken cancellationToken)
    {
        using var search = await gateway.PostAsJsonAsync("/api/search", new { query = "ferries to the sea fortress", imageTopK = 10 }, cancellationToken);
        var found = JsonDocument.Parse(await search.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        Assert.True(search.IsSuccessStatusCode, found.ToString());
        Assert.EndsWith("harbour.md", found.GetProperty("text")[0].GetProperty("documentId").GetString());

        using var ask = await gateway.PostAsJsonAsync("/api/ask", new { question = "How often do ferries leave for Suomenlinna?" }, cancellationToken);
        var answer = JsonDocument.Parse(await ask.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        Assert.True(ask.IsSuccessStatusCode, answer.ToString());
        Assert.Equal("retrieval-only", answer.GetProperty("mode").GetString());
        Assert.Contains("every half hour", answer.GetProperty("answer").GetString());
        Assert.NotEmpty(answer.GetProperty("usedCitations").EnumerateArray());
    }

    /// <summary>The seeded folder's documents are in the gateway's catalog (GET /api/documents); POST /api/ingest needs the
    /// generated key (none: 401, a wrong one: 403), and with it a re-crawl of the folder is accepted (202) and its job gets done.</summary>
    private async Task VerifyCatalogAndIngestApiAsync(HttpClient gateway, string apiKey, CancellationToken cancellationToken)
    {
        JsonElement documents;
        while (true)
        {
            using var list = await gateway.GetAsync("/api/documents?source=folder", cancellationToken);
            documents = JsonDocument.Parse(await list.Content.ReadAsStringAsync(cancellationToken)).RootElement;
            Assert.True(list.IsSuccessStatusCode, documents.ToString());
            var ids = documents.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("documentId").GetString() ?? "").ToList();
            if (ids.Any(id => id.EndsWith("harbour.md", StringComparison.Ordinal)) && ids.Any(id => id.EndsWith("churches.txt", StringComparison.Ordinal)))
            {
                break;
            }
            await Task.Delay(250, cancellationToken); // the catalog consumer may still be applying the indexer's events
        }
        output.WriteLine($"catalog: {documents}");
        var harbour = documents.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("documentId").GetString()!.EndsWith("harbour.md", StringComparison.Ordinal));
        Assert.Equal("folder", harbour.GetProperty("source").GetString());
        Assert.True(harbour.GetProperty("passages").GetInt32() > 0, harbour.ToString());
        Assert.True(documents.GetProperty("total").GetInt32() >= 2, documents.ToString());

        var body = new { folder = "corpus" };
        using (var anonymous = await gateway.PostAsJsonAsync("/api/ingest", body, cancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = JsonContent.Create(body) })
        {
            wrong.Headers.Add("X-Api-Key", apiKey + "x");
            using var forbidden = await gateway.SendAsync(wrong, cancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", apiKey);
        using var accepted = await gateway.SendAsync(request, cancellationToken);
        var job = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        Assert.True(accepted.StatusCode == System.Net.HttpStatusCode.Accepted, $"{(int)accepted.StatusCode}: {job}");
        var jobId = job.GetProperty("jobId").GetString();
        Assert.Equal($"/api/ingest/{jobId}", accepted.Headers.Location?.OriginalString);

        while (true)
        {
            using var status = await gateway.GetAsync($"/api/ingest/{jobId}", cancellationToken);
            var state = JsonDocument.Parse(await status.Content.ReadAsStringAsync(cancellationToken)).RootElement;
            Assert.True(status.IsSuccessStatusCode, state.ToString());
            var name = state.GetProperty("state").GetString();
            if (name is not ("queued" or "running"))
            {
                Assert.True(name == "done", state.ToString());
                output.WriteLine($"re-crawl job: {state}");
                return;
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Waits until a document whose id ends with <paramref name="fileName"/> has passages (and images) in the store.</summary>
    private static async Task<string> WaitForDocumentAsync(IVectorStore store, string fileName, int minimumImages, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var hits = await store.SearchPassagesAsync(Unit(384), new VectorSearchOptions { TopK = 1000 }, cancellationToken);
                var documentId = hits.Select(h => h.Record.DocumentId).FirstOrDefault(id => id.EndsWith(fileName, StringComparison.Ordinal));
                // Searched, not counted: a reader's searches see new rows once it has polled the writer's changes.
                if (documentId is not null
                    && (await store.SearchImagesAsync(Unit(512), new VectorSearchOptions { TopK = 10, DocumentIds = [documentId] }, cancellationToken)).Count >= minimumImages)
                {
                    return documentId;
                }
            }
            catch (VectorStoreException)
            {
                // The indexer has not created the collections yet.
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    private static ServiceProvider ReaderOf(string directory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Embedded",
            ["VectorStore:Embedded:Directory"] = directory,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddVectorStore(configuration, VectorStoreRole.Reader);
        return services.BuildServiceProvider();
    }

    private static float[] Unit(int dimension)
    {
        var vector = new float[dimension];
        vector[0] = 1f;
        return vector;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
