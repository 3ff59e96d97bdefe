using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Infrastructure;
using AspireMmRag.TestModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Gateway.Tests;

/// <summary><c>POST /api/ask</c> as Server-Sent Events with real generation (LLamaSharp, stories260K): the order of the events,
/// a disconnect that cancels the model's call, and a failure half way that ends the stream with an <c>error</c> event.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AskStreamingTests(GatewayFixture fixture)
{
    private const string Question = "How do I take the ferry to the sea fortress?";

    private Dictionary<string, string?> LlamaSharp(int maxOutputTokens = 48) => fixture.Settings(
        ("Llm:Provider", "LlamaSharp"),
        ("Llm:ModelPath", TestAssets.TinyLlamaGguf),
        ("Llm:ContextSize", "4096"),
        ("Llm:MaxOutputTokens", maxOutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task Streams_sources_first_then_deltas_then_done()
    {
        await using var gateway = new GatewayApp(LlamaSharp());
        using var client = gateway.CreateClient();
        using var response = await SendAsync(client, Question);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        var events = new List<(string Type, JsonElement Data)>();
        await foreach (var item in SseReader.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            events.Add(item);
        }
        Assert.Equal(AskEventTypes.Sources, events[0].Type);
        Assert.Equal(AskEventTypes.Done, events[^1].Type);
        var deltas = events.Skip(1).SkipLast(1).ToList();
        Assert.NotEmpty(deltas);
        Assert.All(deltas, e => Assert.Equal(AskEventTypes.Delta, e.Type));

        var citations = events[0].Data.GetProperty("citations");
        Assert.Equal(4, citations.GetArrayLength());
        Assert.Equal("folder:corpus/suomenlinna.md", citations[0].GetProperty("documentId").GetString());
        var done = events[^1].Data.Deserialize<DoneEvent>(JsonSerializerOptions.Web)!;
        Assert.Equal(AnswerModes.Llm, done.Mode);
        Assert.Equal(string.Concat(deltas.Select(d => d.Data.GetProperty("text").GetString())), done.Answer);
        Assert.NotNull(done.Timings.FirstTokenMs);
        Assert.True(done.Timings.TotalMs >= done.Timings.FirstTokenMs);
    }

    [Fact]
    public async Task The_json_answer_comes_from_the_language_model()
    {
        await using var gateway = new GatewayApp(LlamaSharp());
        using var client = gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/ask", new AskRequest { Question = Question });
        var answer = (await response.Content.ReadFromJsonAsync<AskResponse>())!;
        Assert.Equal(AnswerModes.Llm, answer.Mode);
        Assert.False(string.IsNullOrWhiteSpace(answer.Answer));
        Assert.NotNull(answer.Model);
        Assert.All(answer.UsedCitations, n => Assert.InRange(n, 1, answer.Citations.Count));
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_the_language_model_call()
    {
        ObservedChatClient? observed = null;
        await using var gateway = new GatewayApp(LlamaSharp(maxOutputTokens: 3000), ObservedChatClient.Install(c => observed = c));
        using var client = gateway.CreateClient();
        using (var abort = new CancellationTokenSource())
        {
            var response = await SendAsync(client, Question, abort.Token);
            var stream = await response.Content.ReadAsStreamAsync(abort.Token);
            await foreach (var (type, _) in SseReader.ReadAsync(stream, abort.Token))
            {
                if (type == AskEventTypes.Delta)
                {
                    break; // the user closes the page after the first words
                }
            }
            abort.Cancel();
            response.Dispose();
        }
        var ended = await observed!.Ended.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", ended);
        Assert.True(observed.Updates < 3000, $"{observed.Updates} updates were generated");
    }

    [Fact]
    public async Task A_failure_after_the_first_words_ends_the_stream_with_an_error_event()
    {
        await using var gateway = new GatewayApp(fixture.Settings(), services => services.AddSingleton<IChatClient>(new FailingChatClient()));
        using var client = gateway.CreateClient();
        using var response = await SendAsync(client, Question);
        var events = new List<(string Type, JsonElement Data)>();
        await foreach (var item in SseReader.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            events.Add(item);
        }
        Assert.Equal([AskEventTypes.Sources, AskEventTypes.Delta, AskEventTypes.Error], events.Select(e => e.Type));
        var problem = events[^1].Data;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string question, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/ask") { Content = JsonContent.Create(new AskRequest { Question = question }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Writes a few words, then fails as a model server that drops the connection would.</summary>
    private sealed class FailingChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Ferries leave ");
            await Task.Yield();
            throw new HttpRequestException("The response ended prematurely.");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
