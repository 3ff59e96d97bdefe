using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// <c>POST /api/ask</c> with <c>Accept: text/event-stream</c>, one ask at a time: the time from sending the request to the
/// <c>sources</c> event and to the first <c>delta</c> event as the client reads them (parsed with
/// <see cref="SseParser"/>), and to <c>done</c>; the <c>done</c> event's own timings (the gateway's clock) on the side.
/// </summary>
public static class AskLatency
{
    public sealed record Result(Stats Sources, Stats FirstDelta, Stats Prefill, Stats Done, Stats ServerFirstToken, Stats ServerEmbed,
        Stats ServerSearch, double MeanDeltas, double MeanAnswerChars, IReadOnlyDictionary<string, int> Modes, string Model, CpuUsage Cpu, string Disturbance);

    private sealed record Sample(double Sources, double FirstDelta, double Done, int Deltas, DoneEvent Completed);

    public static async Task<Result> RunAsync(HttpClient http, IReadOnlyList<string> questions, BenchSettings settings,
        (string Name, int Pid)[] processes, CancellationToken cancellationToken)
    {
        // Questions from the far end of the pool, so the asks do not repeat what the search runs just sent.
        var pool = questions.Reverse().ToArray();
        for (var i = 0; i < settings.AskWarmUp; i++)
        {
            await AskAsync(http, pool[i % pool.Length], cancellationToken);
        }
        var outcome = await Undisturbed.CollectAsync(settings.Asks, settings.AskBlock, processes,
            i => AskAsync(http, pool[(settings.AskWarmUp + i) % pool.Length], cancellationToken));
        var samples = outcome.Items;
        var modes = samples.GroupBy(s => s.Completed.Mode).ToDictionary(g => g.Key, g => g.Count());
        return new Result(
            new Stats(samples.Select(s => s.Sources)),
            new Stats(samples.Select(s => s.FirstDelta)),
            new Stats(samples.Select(s => s.FirstDelta - s.Sources)),
            new Stats(samples.Select(s => s.Done)),
            new Stats(samples.Select(s => s.Completed.Timings.FirstTokenMs ?? double.NaN).Where(v => !double.IsNaN(v))),
            new Stats(samples.Select(s => s.Completed.Timings.EmbedMs)),
            new Stats(samples.Select(s => s.Completed.Timings.SearchMs)),
            samples.Average(s => s.Deltas),
            samples.Average(s => s.Completed.Answer.Length),
            modes,
            samples[0].Completed.Model ?? "?",
            outcome.Cpu,
            outcome.Describe());
    }

    private static async Task<Sample> AskAsync(HttpClient http, string question, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ask")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new AskRequest { Question = question }, JsonSerializerOptions.Web))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"/api/ask answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        double? sources = null, firstDelta = null;
        var deltas = 0;
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            var at = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            switch (item.EventType)
            {
                case AskEventTypes.Sources:
                    sources ??= at;
                    break;
                case AskEventTypes.Delta:
                    firstDelta ??= at;
                    deltas++;
                    break;
                case AskEventTypes.Done:
                    var done = JsonSerializer.Deserialize<DoneEvent>(item.Data, JsonSerializerOptions.Web)
                        ?? throw new InvalidOperationException("An empty done event.");
                    if (sources is null || firstDelta is null)
                    {
                        throw new InvalidOperationException($"The stream ended without {(sources is null ? "a sources" : "a delta")} event (mode {done.Mode}).");
                    }
                    return new Sample(sources.Value, firstDelta.Value, at, deltas, done);
                case AskEventTypes.Error:
                    throw new InvalidOperationException($"The ask stream failed: {item.Data}");
            }
        }
        throw new InvalidOperationException("The ask stream ended without a done event.");
    }
}
