using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Infrastructure;
using AspireMmRag.TestModels;
using Xunit.Abstractions;

namespace AspireMmRag.Gateway.Tests;

/// <summary>One ask is one trace: the request span, retrieval, the query embeddings, the store searches, the answer and the
/// language model's GenAI span all share its trace id.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AskTraceTests(GatewayFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task An_ask_reads_as_one_trace_from_request_to_language_model()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("AspireMmRag", StringComparison.Ordinal)
                || source.Name is "Experimental.Microsoft.Extensions.AI" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        await using var gateway = new GatewayApp(fixture.Settings(
            ("Llm:Provider", "LlamaSharp"), ("Llm:ModelPath", TestAssets.TinyLlamaGguf), ("Llm:ContextSize", "4096"), ("Llm:MaxOutputTokens", "24")));
        using var client = gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/ask", new AskRequest { Question = "Show me a photo of a red tram in the city centre" });
        response.EnsureSuccessStatusCode();

        var request = spans.Single(s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/api/ask", StringComparison.Ordinal));
        var trace = spans.Where(s => s.TraceId == request.TraceId).ToList();
        foreach (var span in trace.OrderBy(s => s.StartTimeUtc))
        {
            output.WriteLine($"{span.Source.Name}: {span.DisplayName}");
        }
        var names = trace.Select(s => s.DisplayName).ToList();
        Assert.Contains("retrieve", names);
        Assert.Contains("embed texts passage", names);
        Assert.Contains("embed texts clip", names);
        Assert.Contains(names, n => n.StartsWith("vectorstore hybrid search passages", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("vectorstore search image_captions", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("vectorstore search images", StringComparison.Ordinal));
        Assert.Contains("rank images", names);
        Assert.Contains("generate answer", names);
        var chat = Assert.Single(trace, s => s.Source.Name == "Experimental.Microsoft.Extensions.AI");
        Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
        Assert.NotNull(chat.GetTagItem("gen_ai.request.model"));
    }
}
