using System.Diagnostics;
using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Answering.Ollama;
using AspireMmRag.Gateway.Extensions;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Fakes;
using AspireMmRag.TestModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http;

namespace AspireMmRag.Gateway.Tests.Answering;

/// <summary>The Ollama path as the gateway registers it (OllamaSharp over the named HttpClient, the service defaults'
/// handlers replaced), against <see cref="FakeOllamaServer"/>.</summary>
public sealed class OllamaAnswerTests : IAsyncLifetime
{
    private FakeOllamaServer _ollama = null!;

    public async Task InitializeAsync() => _ollama = await FakeOllamaServer.StartAsync();

    public async Task DisposeAsync() => await _ollama.DisposeAsync();

    private static Dictionary<string, string?> Settings(string connectionString, params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "Ollama",
            ["ConnectionStrings:llm"] = connectionString,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    [Fact]
    public async Task Deltas_arrive_in_order_and_the_request_carries_the_model_and_sampling_options()
    {
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString()));

        var events = await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        Assert.Equal(["Helsinki ", "has ", "Suomenlinna ", "[2]", "."], events.OfType<AnswerDelta>().Select(d => d.Text));
        Assert.Equal(AnswerModes.Llm, completed.Mode);
        Assert.Equal("llama3", completed.Model);
        Assert.Equal([2], completed.UsedCitations);
        Assert.Empty(completed.Warnings);

        var request = Assert.Single(_ollama.ChatRequests).Json;
        Assert.Equal("llama3", request.GetProperty("model").GetString());
        Assert.True(request.GetProperty("stream").GetBoolean());
        var options = request.GetProperty("options");
        Assert.Equal(0.1, options.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(42, options.GetProperty("seed").GetInt32());
        Assert.Equal(512, options.GetProperty("num_predict").GetInt32());
        var messages = request.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("user", messages[^1].GetProperty("role").GetString());
        Assert.Contains("[2] Helsinki › Tourism", messages[^1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task The_model_in_the_connection_string_overrides_Llm_Model_and_options_are_applied()
    {
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString("phi3:mini"),
            ("Llm:Model", "llama3"), ("Llm:Temperature", "0.5"), ("Llm:Seed", "7"), ("Llm:MaxOutputTokens", "64")));

        var completed = AnswerTestData.AssertWellFormed(
            await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None)));

        Assert.Equal("phi3:mini", completed.Model);
        var request = Assert.Single(_ollama.ChatRequests).Json;
        Assert.Equal("phi3:mini", request.GetProperty("model").GetString());
        var options = request.GetProperty("options");
        Assert.Equal(0.5, options.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(7, options.GetProperty("seed").GetInt32());
        Assert.Equal(64, options.GetProperty("num_predict").GetInt32());
    }

    [Fact]
    public async Task Ollama_down_gives_a_retrieval_only_answer_with_a_warning_naming_the_endpoint()
    {
        var nothingThere = $"http://127.0.0.1:{FreePorts.Next()}/";
        await using var host = await AnswerHost.StartAsync(Settings($"Endpoint={nothingThere};Model=llama3"));

        var completed = AnswerTestData.AssertWellFormed(
            await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None)));

        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Null(completed.Model);
        Assert.Equal([2], completed.UsedCitations);
        var warning = Assert.Single(completed.Warnings);
        Assert.Contains($"The language model at {nothingThere} failed: unreachable", warning);
        Assert.Contains("extracted from the sources", warning);
    }

    [Fact]
    public async Task Model_not_found_gives_a_retrieval_only_answer_with_a_warning()
    {
        _ollama.ChatMode = FakeChatMode.ModelNotFound;
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString("mistral")));

        var completed = AnswerTestData.AssertWellFormed(
            await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None)));

        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Contains("the model 'mistral' was not found there (HTTP 404 Not Found)", Assert.Single(completed.Warnings));
        Assert.Single(_ollama.ChatRequests); // a POST is not retried
    }

    [Fact]
    public async Task A_server_error_before_streaming_is_not_retried_and_answers_retrieval_only()
    {
        _ollama.ChatMode = FakeChatMode.ServerError;
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString()));

        var completed = AnswerTestData.AssertWellFormed(
            await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None)));

        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Contains("HTTP 500", Assert.Single(completed.Warnings));
        Assert.Single(_ollama.ChatRequests);
    }

    [Theory]
    [InlineData(FakeChatMode.AbortMidStream)]
    [InlineData(FakeChatMode.ErrorMidStream)]
    public async Task A_failure_after_some_text_is_thrown(FakeChatMode mode)
    {
        _ollama.ChatMode = mode;
        _ollama.ChunksBeforeFailure = 2;
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString()));
        var received = new List<AnswerEvent>();

        var thrown = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None))
            {
                received.Add(update);
            }
        });

        Assert.IsNotType<OperationCanceledException>(thrown);
        if (mode == FakeChatMode.ErrorMidStream)
        {
            Assert.IsType<OllamaStreamException>(thrown);
        }
        Assert.Equal(["Helsinki ", "has "], received.OfType<AnswerDelta>().Select(d => d.Text));
        Assert.DoesNotContain(received, e => e is AnswerCompleted);
    }

    [Fact]
    public async Task Cancelling_mid_stream_stops_the_call()
    {
        _ollama.ReplyChunks = [.. Enumerable.Range(0, 50).Select(i => $"word{i} ")];
        _ollama.ChunkDelay = TimeSpan.FromMilliseconds(100);
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString()));
        using var cancellation = new CancellationTokenSource();
        var received = new List<AnswerEvent>();
        var watch = new Stopwatch();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in host.Answers.GenerateAsync(AnswerTestData.Helsinki(), cancellation.Token))
            {
                received.Add(update);
                if (received.Count == 2)
                {
                    watch.Start();
                    cancellation.Cancel();
                }
            }
        });

        Assert.Equal(2, received.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"stopped {watch.Elapsed} after the cancellation");
    }

    [Fact]
    public async Task The_attempt_timeout_applies_and_the_service_defaults_handler_is_replaced()
    {
        _ollama.FirstChunkDelay = TimeSpan.FromSeconds(3);
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString(), ("Llm:AttemptTimeout", "00:00:01")));

        var completed = AnswerTestData.AssertWellFormed(
            await AnswerTestData.CollectAsync(host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None)));

        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Contains("no response within 00:00:01", Assert.Single(completed.Warnings));

        // One resilience handler on the LLM client (ours), none on the status probe's.
        var handlers = host.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        Assert.Equal(1, CountResilienceHandlers(handlers.CreateHandler(LlmServiceExtensions.HttpClientName)));
        Assert.Equal(0, CountResilienceHandlers(handlers.CreateHandler(LlmServiceExtensions.StatusHttpClientName)));
        // Any other client keeps the standard handler of the service defaults.
        Assert.Equal(1, CountResilienceHandlers(handlers.CreateHandler("some-other-client")));
    }

    [Fact]
    public async Task The_chat_client_is_instrumented()
    {
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString()));

        var chat = host.Services.GetRequiredService<IChatClient>();

        Assert.NotNull(chat.GetService<OpenTelemetryChatClient>());
        Assert.NotNull(chat.GetService<OllamaStreamGuard>());
        Assert.Equal("ollama", chat.GetService<ChatClientMetadata>()?.ProviderName);
    }

    [Fact]
    public async Task Status_reports_available_when_the_model_is_pulled()
    {
        _ollama.Models.Clear();
        _ollama.Models.AddRange(["nomic-embed-text:latest", "llama3:latest"]);
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString()));

        var status = await host.Status.GetStatusAsync();

        Assert.Equal(new LanguageModelInfo("ollama", "llama3", _ollama.Endpoint.ToString(), true, null), status);
    }

    [Fact]
    public async Task Status_reports_a_missing_model_with_the_pulled_ones()
    {
        _ollama.Models.Clear();
        _ollama.Models.Add("phi3:latest");
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString("llama3:8b")));

        var status = await host.Status.GetStatusAsync();

        Assert.False(status.Available);
        Assert.Equal("llama3:8b", status.Model);
        Assert.Contains("the model 'llama3:8b' is not pulled (pulled: phi3:latest)", status.Reason);
    }

    [Fact]
    public async Task Status_is_cached_for_a_few_seconds()
    {
        await using var host = await AnswerHost.StartAsync(Settings(_ollama.ConnectionString(), ("Llm:StatusCacheDuration", "00:01:00")));

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Status.GetStatusAsync()));
        await host.Status.GetStatusAsync();

        Assert.Equal(1, _ollama.TagsRequests);
    }

    [Fact]
    public async Task Status_and_health_report_an_unreachable_server_while_readiness_stays_healthy()
    {
        var nothingThere = $"http://127.0.0.1:{FreePorts.Next()}/";
        await using var host = await AnswerHost.StartAsync(Settings($"Endpoint={nothingThere};Model=llama3"));

        var status = await host.Status.GetStatusAsync();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.False(status.Available);
        Assert.Equal(nothingThere, status.Endpoint);
        Assert.StartsWith($"Ollama at {nothingThere} is unreachable", status.Reason);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        var entry = report.Entries[LlmServiceExtensions.HealthCheckName];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.StartsWith("retrieval-only: Ollama at", entry.Description);
        Assert.Equal(false, entry.Data["available"]);
        Assert.Equal("ollama", entry.Data["provider"]);
    }

    [Fact]
    public async Task A_status_probe_that_hangs_is_cut_off_by_the_status_timeout()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start(); // accepts connections, never answers
        var endpoint = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/";
        await using var host = await AnswerHost.StartAsync(Settings($"Endpoint={endpoint};Model=llama3", ("Llm:StatusTimeout", "00:00:00.500")));
        var watch = Stopwatch.StartNew();

        var status = await host.Status.GetStatusAsync();

        Assert.False(status.Available);
        Assert.Contains("did not answer within 0.5 s", status.Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    private static int CountResilienceHandlers(HttpMessageHandler handler)
    {
        var count = 0;
        for (var current = handler; current is DelegatingHandler delegating; current = delegating.InnerHandler)
        {
            if (delegating.GetType().Name == "ResilienceHandler")
            {
                count++;
            }
        }
        return count;
    }
}
