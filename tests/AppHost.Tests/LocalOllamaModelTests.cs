using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using AspireMmRag.TestModels;
using Xunit.Abstractions;

namespace AspireMmRag.AppHost.Tests;

/// <summary>
/// Local mode with an <c>ollama</c> installed: the AppHost runs it (here a stand-in speaking Ollama's documented API,
/// FakeOllama/ollama, given as <c>Llm:OllamaCommand</c>) and the model resource pulls <c>llama3</c> once it answers,
/// showing "Checking", "Downloading llama3 N percent", then Running and healthy; the gateway, which waits for it, then
/// reports the model as available.
/// </summary>
public sealed class LocalOllamaModelTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmrag-ollama-").FullName;

    [Fact]
    public async Task A_pull_that_fails_shows_its_error_on_the_model_and_the_gateway_starts_answering_without_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var app = await BuildAsync("missing-model", timeout.Token);
        using var logs = ResourceLogs.Capture(app, ["ollama", "missing-model", "gateway"]);
        try
        {
            await app.StartAsync(timeout.Token);
            var settled = await app.ResourceNotifications.WaitForResourceHealthyAsync("missing-model", timeout.Token);
            Assert.Equal(KnownResourceStates.Running, settled.Snapshot.State?.Text);
            Assert.Equal(KnownResourceStateStyles.Warn, settled.Snapshot.State?.Style);
            var error = Assert.Single(settled.Snapshot.Properties, p => p.Name == AspireMmRag.AppHost.Extensions.Ollama.OllamaModelPull.ErrorProperty);
            Assert.Contains("file does not exist", error.Value?.ToString());

            await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
            using var http = app.CreateHttpClient("gateway");
            var llm = (await http.GetFromJsonAsync<JsonElement>("/api/models", timeout.Token)).GetProperty("llm");
            output.WriteLine(llm.ToString());
            Assert.False(llm.GetProperty("available").GetBoolean());
            Assert.Contains("not pulled", llm.GetProperty("reason").GetString());
        }
        catch
        {
            output.WriteLine(logs.Dump());
            throw;
        }
    }

    private async Task<DistributedApplication> BuildAsync(string model, CancellationToken cancellationToken)
    {
        var fake = Path.Combine(AppContext.BaseDirectory, "FakeOllama", "ollama");
        Assert.True(File.Exists(fake), $"the fake ollama is not at {fake}");
        var corpus = Directory.CreateDirectory(Path.Combine(_root, "empty-corpus-" + model)).FullName;
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            "--Infra:Mode=local",
            $"--Infra:RabbitMQ:Port={FreePorts.Next(alsoFreeOffset: 20000)}",
            $"--Data:Directory={Path.Combine(_root, "data-" + model)}",
            $"--Ingest:Folders:0={corpus}",
            "--Ingest:WikipediaTitles=",
            $"--Embedder:ClipDirectory={Path.Combine(_root, "no-clip")}",
            "--Embedder:AutoDownload=false",
            "--Embedder:Replicas=1",
            $"--Llm:OllamaCommand={fake}",
            $"--Llm:Model={model}",
        ], cancellationToken);
        return await appHost.BuildAsync(cancellationToken);
    }

    [Fact]
    public async Task The_model_resource_pulls_the_model_with_its_progress_and_the_gateway_then_uses_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var app = await BuildAsync("llama3", timeout.Token);
        using var logs = ResourceLogs.Capture(app, ["ollama", "llama3", "gateway"]);
        var states = new ConcurrentQueue<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in app.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (change.Resource.Name == "llama3" && change.Snapshot.State?.Text is { } text && (states.IsEmpty || states.Last() != text))
                {
                    states.Enqueue(text);
                }
            }
        }, timeout.Token);
        try
        {
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("llama3", timeout.Token);
            output.WriteLine("llama3 states: " + string.Join(" → ", states));
            Assert.Contains(states, s => s.StartsWith("Checking llama3", StringComparison.Ordinal));
            var downloads = states.Where(s => s.StartsWith("Downloading llama3 ", StringComparison.Ordinal)).ToList();
            Assert.Contains("Downloading llama3 50 percent", downloads);
            Assert.Contains("Downloading llama3 100 percent", downloads);
            Assert.Equal(KnownResourceStates.Running, states.Last());

            await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
            using var http = app.CreateHttpClient("gateway");
            var models = await http.GetFromJsonAsync<JsonElement>("/api/models", timeout.Token);
            output.WriteLine(models.ToString());
            var languageModel = models.GetProperty("llm");
            Assert.Equal("ollama", languageModel.GetProperty("provider").GetString());
            Assert.Equal("llama3", languageModel.GetProperty("model").GetString());
            Assert.True(languageModel.GetProperty("available").GetBoolean(), languageModel.ToString());
        }
        catch
        {
            output.WriteLine("llama3 states: " + string.Join(" → ", states));
            output.WriteLine(logs.Dump());
            throw;
        }
        finally
        {
            await timeout.CancelAsync();
            await watching.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

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
