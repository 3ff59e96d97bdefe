using System.Diagnostics;
using System.Diagnostics.Metrics;
using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireMmRag.Gateway.Tests.Answering;

/// <summary>The generator over a scripted chat client: streaming, options, fallbacks, telemetry.</summary>
public sealed class AnswerGeneratorTests
{
    private static readonly LlmOptions Ollama = new() { Provider = LlmProvider.Ollama, Endpoint = "http://ollama:11434", Model = "llama3" };

    private static AnswerGenerator Generator(ScriptedChatClient chat, LlmOptions? options = null, IMeterFactory? meters = null) =>
        new(Options.Create(options ?? Ollama), new AnswerTelemetry(meters ?? new TestMeterFactory()), NullLogger<AnswerGenerator>.Instance, chat);

    [Fact]
    public async Task Streams_the_model_text_as_deltas_then_completes_in_llm_mode()
    {
        var chat = new ScriptedChatClient("\n ", "  Suomenlinna", " is popular", " [2].");

        var events = await AnswerTestData.CollectAsync(Generator(chat).GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        Assert.Equal(["Suomenlinna", " is popular", " [2]."], events.OfType<AnswerDelta>().Select(d => d.Text));
        Assert.Equal("Suomenlinna is popular [2].", completed.Answer);
        Assert.Equal(AnswerModes.Llm, completed.Mode);
        Assert.Equal("llama3", completed.Model);
        Assert.Equal([2], completed.UsedCitations);
        Assert.Empty(completed.Warnings);
    }

    [Fact]
    public async Task A_chat_client_registered_without_a_provider_is_used()
    {
        var chat = new ScriptedChatClient("From a test client [1].");

        var events = await AnswerTestData.CollectAsync(Generator(chat, new LlmOptions()).GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        Assert.Equal(AnswerModes.Llm, AnswerTestData.AssertWellFormed(events).Mode);
    }

    [Fact]
    public async Task Sends_the_prompt_and_the_configured_sampling_options()
    {
        var chat = new ScriptedChatClient("ok [1]");
        var options = new LlmOptions
        {
            Provider = LlmProvider.Ollama, Endpoint = "http://ollama:11434", Model = "phi3", Temperature = 0.3f, Seed = 7, MaxOutputTokens = 99,
        };

        await AnswerTestData.CollectAsync(Generator(chat, options).GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var (messages, chatOptions) = Assert.Single(chat.Calls);
        Assert.NotNull(chatOptions);
        Assert.Equal("phi3", chatOptions.ModelId);
        Assert.Equal(0.3f, chatOptions.Temperature);
        Assert.Equal(7, chatOptions.Seed);
        Assert.Equal(99, chatOptions.MaxOutputTokens);
        Assert.Equal(AnswerPrompt.SystemInstructions, messages[0].Text);
        Assert.Equal(AnswerPrompt.UserMessage(AnswerTestData.Helsinki()), messages[^1].Text);
    }

    [Fact]
    public async Task A_failure_before_any_text_falls_back_to_the_extract_with_a_warning()
    {
        var chat = new ScriptedChatClient("never") { Failure = new HttpRequestException("Connection refused (ollama:11434)"), FailAfterChunks = 0 };

        var events = await AnswerTestData.CollectAsync(Generator(chat).GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Null(completed.Model);
        Assert.Equal([2], completed.UsedCitations);
        var warning = Assert.Single(completed.Warnings);
        Assert.StartsWith("The language model at http://ollama:11434/ failed: unreachable (Connection refused (ollama:11434))", warning);
        Assert.EndsWith("this answer was extracted from the sources.", warning);
    }

    [Fact]
    public async Task A_model_that_writes_nothing_gets_the_extract_too()
    {
        var chat = new ScriptedChatClient(" ", "\n");

        var events = await AnswerTestData.CollectAsync(Generator(chat).GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        Assert.Equal(AnswerModes.RetrievalOnly, completed.Mode);
        Assert.Contains("returned no text", Assert.Single(completed.Warnings));
    }

    [Fact]
    public async Task A_failure_after_text_is_thrown_after_the_deltas_already_sent()
    {
        var failure = new IOException("The response ended prematurely.");
        var chat = new ScriptedChatClient("Suomenlinna", " is", " popular") { Failure = failure, FailAfterChunks = 2 };
        var received = new List<AnswerEvent>();

        var thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in Generator(chat).GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None))
            {
                received.Add(update);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal(["Suomenlinna", " is"], received.OfType<AnswerDelta>().Select(d => d.Text));
        Assert.DoesNotContain(received, e => e is AnswerCompleted);
    }

    [Fact]
    public async Task Cancellation_is_thrown_not_answered_retrieval_only()
    {
        var chat = new ScriptedChatClient("a", "b", "c", "d");
        using var cancellation = new CancellationTokenSource();
        var received = new List<AnswerEvent>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Generator(chat).GenerateAsync(AnswerTestData.Helsinki(), cancellation.Token))
            {
                received.Add(update);
                cancellation.Cancel();
            }
        });

        Assert.Single(received);
    }

    [Theory]
    [InlineData(System.Net.HttpStatusCode.NotFound, "model_not_found", "the model 'llama3' was not found there (HTTP 404 Not Found)")]
    [InlineData(System.Net.HttpStatusCode.InternalServerError, "http_error", "HTTP 500 (InternalServerError)")]
    public void Http_failures_are_described_for_the_warning(System.Net.HttpStatusCode status, string reason, string summary)
    {
        var described = AnswerGenerator.Describe(new HttpRequestException("x", null, status), Ollama);

        Assert.Equal((summary, reason), described);
    }

    [Fact]
    public void Timeouts_are_described_for_the_warning()
    {
        Assert.Equal(AnswerTelemetry.Reasons.Timeout, AnswerGenerator.Describe(new Polly.Timeout.TimeoutRejectedException(), Ollama).Reason);
        Assert.Equal(AnswerTelemetry.Reasons.Timeout, AnswerGenerator.Describe(new TaskCanceledException(), Ollama).Reason);
    }

    [Fact]
    public async Task Records_a_span_the_first_token_time_and_retrieval_only_answers()
    {
        using var meters = new TestMeterFactory();
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AnswerTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) { activities.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        meterListener.Start();
        // Other tests answer in parallel: only the spans under this test's own parent count.
        using var parent = new Activity("telemetry test").Start();

        await AnswerTestData.CollectAsync(Generator(new ScriptedChatClient("Yes [1][2]."), meters: meters)
            .GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));
        var failing = new ScriptedChatClient("x") { Failure = new HttpRequestException("refused"), FailAfterChunks = 0 };
        await AnswerTestData.CollectAsync(Generator(failing, meters: meters).GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        List<Activity> spans;
        lock (activities)
        {
            spans = activities.Where(a => a.OperationName == AnswerTelemetry.GenerateSpanName && a.TraceId == parent.TraceId).ToList();
        }
        Assert.Equal(2, spans.Count);
        Assert.Equal(AnswerModes.Llm, spans[0].GetTagItem(AnswerTelemetry.Tags.Mode));
        Assert.Equal("llama3", spans[0].GetTagItem(AnswerTelemetry.Tags.Model));
        Assert.Equal(2, spans[0].GetTagItem(AnswerTelemetry.Tags.CitationsUsed));
        Assert.Equal(AnswerModes.RetrievalOnly, spans[1].GetTagItem(AnswerTelemetry.Tags.Mode));
        Assert.Equal(AnswerTelemetry.Reasons.Unreachable, spans[1].GetTagItem(AnswerTelemetry.Tags.Reason));

        var firstToken = Assert.Single(measurements, m => m.Instrument == "gateway.answer.time_to_first_token");
        Assert.True(firstToken.Value >= 0);
        var retrievalOnly = Assert.Single(measurements, m => m.Instrument == "gateway.answer.retrieval_only");
        Assert.Equal(1, retrievalOnly.Value);
        Assert.Equal(AnswerTelemetry.Reasons.Unreachable, retrievalOnly.Tags[AnswerTelemetry.Tags.Reason]);
    }
}
