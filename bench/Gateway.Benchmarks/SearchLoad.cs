using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// <c>POST /api/search</c> from N closed-loop clients over loopback HTTP/1.1 (each sends its next request as soon as the
/// previous response is fully read): a warm-up, then a measured window bounded by a duration and a request count.
/// </summary>
public static class SearchLoad
{
    public sealed record Level(int Clients, int Requests, int Errors, double Seconds, Stats Latency, CpuUsage Cpu, double MeanPassages, double MeanImages)
    {
        public double Throughput => Requests / Seconds;
    }

    public static async Task<Level> RunAsync(HttpClient http, IReadOnlyList<string> questions, int clients, BenchSettings settings,
        (string Name, int Pid)[] processes, CancellationToken cancellationToken)
    {
        var bodies = questions.Select(q => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new SearchRequest { Query = q }, JsonSerializerOptions.Web))).ToArray();
        var next = -1;

        // Warm-up: the same load, unmeasured; a sample of responses is parsed to report what a search returns.
        var passages = new List<int>();
        var images = new List<int>();
        await RunWindowAsync(settings.SearchWarmUp, int.MaxValue, async token =>
        {
            var index = Interlocked.Increment(ref next);
            using var response = await SendAsync(http, bodies[index % bodies.Length], token);
            response.EnsureSuccessStatusCode();
            if (index % 4 == 0)
            {
                var result = await response.Content.ReadFromJsonAsync<SearchResponse>(JsonSerializerOptions.Web, token);
                lock (passages)
                {
                    passages.Add(result?.Text.Count ?? 0);
                    images.Add(result?.Images.Count ?? 0);
                }
            }
            else
            {
                await response.Content.ReadAsByteArrayAsync(token);
            }
        });

        var latencies = new List<double>();
        var errors = 0;
        var cpu = CpuSample.Start(processes);
        var clock = Stopwatch.StartNew();
        await RunWindowAsync(settings.SearchDuration, settings.SearchMaxRequests, async token =>
        {
            var body = bodies[Interlocked.Increment(ref next) % bodies.Length];
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await SendAsync(http, body, token);
                await response.Content.ReadAsByteArrayAsync(token);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
                return;
            }
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (latencies)
            {
                latencies.Add(ms);
            }
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuShares = cpu.Stop();
        return new Level(clients, latencies.Count, errors, seconds, new Stats(latencies), cpuShares,
            passages.Count > 0 ? passages.Average() : double.NaN, images.Count > 0 ? images.Average() : double.NaN);

        // Each of `clients` loops until the window closes or the request budget is spent; requests in flight finish.
        async Task RunWindowAsync(TimeSpan duration, int maxRequests, Func<CancellationToken, Task> request)
        {
            var budget = maxRequests;
            var window = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                while (window.Elapsed < duration && Interlocked.Decrement(ref budget) >= 0)
                {
                    await request(cancellationToken);
                }
            }, cancellationToken)));
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, byte[] body, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return http.PostAsync("/api/search", content, cancellationToken);
    }
}
