using System.Diagnostics;
using AspireMmRag.Gateway.Answering;
using AspireMmRag.Gateway.Answering.LlamaSharp;
using AspireMmRag.Gateway.Model;
using AspireMmRag.TestModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Gateway.Tests.Answering;

/// <summary>Real generation in process with the tiny GGUF (stories260K: fast, and its text is nonsense, which is enough to
/// test streaming, cancellation and concurrency). A missing asset fails these tests.</summary>
public sealed class LlamaSharpAnswerTests : IAsyncLifetime
{
    private AnswerHost _host = null!;

    private static Dictionary<string, string?> Settings(int maxOutputTokens) => new()
    {
        ["Llm:Provider"] = "LlamaSharp",
        ["Llm:ModelPath"] = TestAssets.TinyLlamaGguf,
        ["Llm:ContextSize"] = "2048",
        ["Llm:MaxOutputTokens"] = maxOutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Llm:Threads"] = "1",
    };

    public async Task InitializeAsync() => _host = await AnswerHost.StartAsync(Settings(48));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Streams_deltas_then_one_completion_in_llm_mode()
    {
        var events = await AnswerTestData.CollectAsync(_host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));

        var completed = AnswerTestData.AssertWellFormed(events);
        Assert.Single(events, e => e is AnswerCompleted);
        Assert.True(events.Count > 3, $"expected several deltas, got {events.Count - 1}");
        Assert.Equal(AnswerModes.Llm, completed.Mode);
        Assert.Equal("stories260K", completed.Model);
        Assert.Empty(completed.Warnings);
        Assert.All(completed.UsedCitations, n => Assert.InRange(n, 1, AnswerTestData.HelsinkiPassages.Count));
    }

    [Fact]
    public async Task Status_reports_the_loaded_model()
    {
        await _host.Services.GetRequiredService<LlamaSharpModel>().GetWeightsAsync(CancellationToken.None);

        var status = await _host.Status.GetStatusAsync();

        Assert.Equal(new LanguageModelInfo("llamasharp", "stories260K", TestAssets.TinyLlamaGguf, true, null), status);
        Assert.Equal("llamasharp", _host.Services.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>()?.ProviderName);
    }

    [Fact]
    public async Task Concurrent_answers_all_complete()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            AnswerTestData.CollectAsync(_host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None))));

        Assert.All(answers, events => Assert.Equal(AnswerModes.Llm, AnswerTestData.AssertWellFormed(events).Mode));
        // The same prompt, seed and temperature: the same text each time.
        Assert.Single(answers.Select(events => ((AnswerCompleted)events[^1]).Answer).Distinct());
    }

    [Fact]
    public async Task Cancelling_mid_stream_stops_generation_promptly()
    {
        await using var host = await AnswerHost.StartAsync(Settings(1500));
        using var cancellation = new CancellationTokenSource();
        var received = new List<AnswerEvent>();
        var afterCancel = 0;
        var watch = new Stopwatch();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in host.Answers.GenerateAsync(AnswerTestData.Helsinki(), cancellation.Token))
            {
                if (cancellation.IsCancellationRequested)
                {
                    afterCancel++;
                }
                received.Add(update);
                if (received.Count == 3)
                {
                    watch.Start();
                    cancellation.Cancel();
                }
            }
        });

        Assert.Equal(0, afterCancel);
        Assert.Equal(3, received.Count);
        Assert.All(received, e => Assert.IsType<AnswerDelta>(e));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"stopped {watch.Elapsed} after the cancellation");

        // The model is free again for the next answer.
        var next = await AnswerTestData.CollectAsync(_host.Answers.GenerateAsync(AnswerTestData.Helsinki(), CancellationToken.None));
        Assert.Equal(AnswerModes.Llm, AnswerTestData.AssertWellFormed(next).Mode);
    }
}
