using AspireMmRag.Embedding;
using AspireMmRag.Embedding.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.Embedder.Tests;

/// <summary>
/// Two embedder replicas on real loopback ports, found through service discovery configuration as Aspire injects it
/// (<c>services:embedder:http:0/1</c>): the shared client spreads calls over both.
/// </summary>
public sealed class EmbedderClientBalancingTests : IAsyncLifetime
{
    private readonly ClipModelDirectory _noClip = ClipModelDirectory.Empty();
    private EmbedderHost _replicaA = null!;
    private EmbedderHost _replicaB = null!;
    private IHost _caller = null!;

    public async Task InitializeAsync()
    {
        _replicaA = new EmbedderHost(EmbedderHost.Settings(_noClip.Path), useKestrel: true);
        _replicaB = new EmbedderHost(EmbedderHost.Settings(_noClip.Path), useKestrel: true);
        await Task.WhenAll(_replicaA.WaitForModelsAsync(expectClip: false), _replicaB.WaitForModelsAsync(expectClip: false));

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:embedder:http:0"] = _replicaA.Address,
            ["services:embedder:http:1"] = _replicaB.Address,
            ["EmbedderClient:ConnectionsPerEndpoint"] = "2",
        });
        builder.AddEmbedderClient("embedder");
        _caller = builder.Build();
    }

    [Fact]
    public async Task Calls_spread_over_both_replicas()
    {
        var client = _caller.Services.GetRequiredService<EmbedderClient>();

        var sequential = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            sequential.Add((await client.DescribeModelsAsync(CancellationToken.None)).Replica);
        }
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            var vectors = await client.EmbedPassagesAsync([$"passage {i}"], CancellationToken.None);
            Assert.Equal(384, vectors[0].Length);
            return (await client.DescribeModelsAsync(CancellationToken.None)).Replica;
        }));

        Assert.Equal(2, sequential.Distinct().Count());
        Assert.Equal(2, concurrent.Distinct().Count());
        Assert.Equal(2, _caller.Services.GetRequiredService<EmbedderChannelPool>().Endpoints.Count);
    }

    [Fact]
    public async Task Describing_replicas_asks_every_replica_once()
    {
        var client = _caller.Services.GetRequiredService<EmbedderClient>();
        var replicas = await client.DescribeReplicasAsync(CancellationToken.None);
        Assert.Equal(2, replicas.Count);
        Assert.Equal(2, replicas.Select(r => r.Replica).Distinct().Count());
        Assert.All(replicas, r => Assert.Contains(r.Models, m => m.Name == "passage" && m.Available));
    }

    [Fact]
    public async Task Invalid_input_surfaces_immediately_without_retries()
    {
        var client = _caller.Services.GetRequiredService<EmbedderClient>();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.EmbedTextsAsync("passage", TextKind.Passage, [""], CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Image_calls_without_clip_fail_with_failed_precondition()
    {
        var client = _caller.Services.GetRequiredService<EmbedderClient>();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.EmbedImagesAsync([TestImages.SolidPng(1, 2, 3)], CancellationToken.None));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _caller.Dispose();
        await _replicaA.DisposeAsync();
        await _replicaB.DisposeAsync();
        _noClip.Dispose();
    }
}
