using System.Collections.Concurrent;
using System.Diagnostics;
using AspireMmRag.Embedding;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.Embedder.Tests;

/// <summary>Two real embedder replicas as processes behind the shared client: one is killed (-9) during a burst of concurrent
/// calls; the client sets its connections aside and the survivor serves the rest.</summary>
public sealed class ReplicaFailoverTests : IAsyncLifetime
{
    private readonly ClipModelDirectory _noClip = ClipModelDirectory.Empty();
    private ServiceProcess _a = null!;
    private ServiceProcess _b = null!;

    public async Task InitializeAsync()
    {
        var environment = PipelineServices.EmbedderEnvironment(_noClip.Path);
        var starting = new[]
        {
            PipelineServices.StartAsync("Embedder", environment, TimeSpan.FromMinutes(3), http2: true),
            PipelineServices.StartAsync("Embedder", environment, TimeSpan.FromMinutes(3), http2: true),
        };
        await Task.WhenAll(starting.Select(task => task.ContinueWith(_ => { }, TaskScheduler.Default)));
        if (starting.Any(task => !task.IsCompletedSuccessfully))
        {
            foreach (var started in starting.Where(task => task.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }
            await Task.WhenAll(starting);
        }
        (_a, _b) = (starting[0].Result, starting[1].Result);
    }

    [Fact]
    public async Task Killing_one_of_two_replicas_during_a_burst_loses_under_one_percent_and_the_survivor_serves_the_rest()
    {
        using var caller = CreateCaller(_a.Url, _b.Url);
        var client = caller.Services.GetRequiredService<EmbedderClient>();
        var replicaA = await ReplicaIdAsync(_a.Url);
        var replicaB = await ReplicaIdAsync(_b.Url);

        const int calls = 600;
        var done = 0;
        var killedAt = -1L;
        var clock = Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<(long StartedAt, string? Replica, string? Error)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, calls), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, _) =>
        {
            var startedAt = clock.ElapsedMilliseconds;
            try
            {
                var result = await client.EmbedTextsDetailedAsync(EmbeddingModelNames.Passage, Embedding.Grpc.TextKind.Passage,
                    [$"passage {i} about rivers", $"passage {i} about mountains"], CancellationToken.None);
                Assert.Equal(2, result.Vectors.Count);
                outcomes.Add((startedAt, result.Replica, null));
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or InvalidOperationException)
            {
                outcomes.Add((startedAt, null, ex.Message));
            }
            if (Interlocked.Increment(ref done) == calls / 4)
            {
                _a.Kill();
                Interlocked.Exchange(ref killedAt, clock.ElapsedMilliseconds);
            }
        }).WaitAsync(TimeSpan.FromMinutes(5));

        var failed = outcomes.Where(o => o.Error is not null).ToArray();
        Assert.True(failed.Length <= calls / 100,
            $"{failed.Length} of {calls} calls failed: {string.Join(" | ", failed.Select(f => f.Error).Distinct().Take(5))}");
        Assert.Contains(outcomes, o => o.Replica == replicaA);
        var afterKill = outcomes.Where(o => o.Error is null && o.StartedAt > Interlocked.Read(ref killedAt)).ToArray();
        Assert.NotEmpty(afterKill);
        Assert.All(afterKill, o => Assert.Equal(replicaB, o.Replica));
    }

    private static IHost CreateCaller(string a, string b)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:embedder:http:0"] = a,
            ["services:embedder:http:1"] = b,
            ["EmbedderClient:ConnectionsPerEndpoint"] = "2",
            ["EmbedderClient:CallTimeout"] = "00:00:30",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddEmbedderClient("embedder");
        return builder.Build();
    }

    private static async Task<string> ReplicaIdAsync(string url)
    {
        using var channel = GrpcChannel.ForAddress(url);
        var client = new Embedding.Grpc.Embedder.EmbedderClient(channel);
        return (await client.DescribeModelsAsync(new Embedding.Grpc.DescribeModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(30))).Replica;
    }

    public async Task DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }
        if (_b is not null)
        {
            await _b.DisposeAsync();
        }
        _noClip.Dispose();
    }
}
