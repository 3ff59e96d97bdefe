using System.Diagnostics;
using AspireMmRag.VectorStore.Milvus;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// The Milvus HttpClient's own policy as <see cref="MilvusServiceCollectionExtensions.AddMilvusVectorStore"/> registers it,
/// next to ServiceDefaults' standard resilience handler (here with a short attempt timeout standing in for its 10 s):
/// <see cref="MilvusOptions.RequestTimeout"/> is the timeout that applies, transient failures are retried except for
/// <c>collections/create</c>; and the reads that decide what to delete use Strong consistency.
/// </summary>
public sealed class MilvusClientPolicyTests
{
    private static readonly TimeSpan StandardAttemptTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly float[] Vector4 = [1, 0, 0, 0];

    [Fact]
    public async Task A_call_slower_than_the_standard_attempt_timeout_but_within_RequestTimeout_succeeds()
    {
        await using var server = await MilvusFakeServer.StartAsync();
        await using var provider = Provider(server, requestTimeout: TimeSpan.FromSeconds(10));
        var store = provider.GetRequiredService<IVectorStore>();
        await store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        await store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", Vector4)], CancellationToken.None);
        server.ClearRequests();
        server.Intercept = async (request, http) =>
        {
            if (request.Action == "entities/query")
            {
                await Task.Delay(StandardAttemptTimeout * 3, http.RequestAborted);
            }
            return false;
        };

        var ids = await store.ListIdsAsync(VectorCollection.Passages, "doc-1", CancellationToken.None);

        Assert.Equal(["p1"], ids);
        Assert.Single(server.RequestsTo("entities/query"));
    }

    [Fact]
    public async Task A_call_slower_than_RequestTimeout_fails_at_RequestTimeout()
    {
        await using var server = await MilvusFakeServer.StartAsync();
        var requestTimeout = TimeSpan.FromSeconds(1);
        await using var provider = Provider(server, requestTimeout);
        var store = provider.GetRequiredService<IVectorStore>();
        await store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        server.Intercept = async (request, http) =>
        {
            if (request.Action == "entities/query")
            {
                await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
            }
            return false;
        };

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            store.ListIdsAsync(VectorCollection.Passages, "doc-1", CancellationToken.None));

        Assert.Contains("Milvus:RequestTimeout", error.Message);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.InRange(clock.Elapsed, requestTimeout - TimeSpan.FromMilliseconds(100), requestTimeout + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_transient_failure_is_retried()
    {
        await using var server = await MilvusFakeServer.StartAsync();
        await using var provider = Provider(server, TimeSpan.FromSeconds(10));
        var store = provider.GetRequiredService<IVectorStore>();
        await store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        server.ClearRequests();
        var failures = 1;
        server.Intercept = async (request, http) =>
        {
            if (request.Action != "entities/upsert" || Interlocked.Decrement(ref failures) < 0)
            {
                return false;
            }
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await http.Response.WriteAsync("restarting");
            return true;
        };

        await store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", Vector4)], CancellationToken.None);

        Assert.Equal(2, server.RequestsTo("entities/upsert").Count);
        Assert.Equal(1, server.RowCount(MilvusOptions.DefaultPassagesCollection));
    }

    [Fact]
    public async Task Creating_a_collection_is_not_retried()
    {
        await using var server = await MilvusFakeServer.StartAsync();
        await using var provider = Provider(server, TimeSpan.FromSeconds(10));
        var store = provider.GetRequiredService<IVectorStore>();
        server.Intercept = async (request, http) =>
        {
            if (request.Action != "collections/create")
            {
                return false;
            }
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await http.Response.WriteAsync("restarting");
            return true;
        };

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None));

        Assert.Contains("HTTP 503", error.Message);
        Assert.Single(server.RequestsTo("collections/create"));
    }

    [Fact]
    public async Task ListIds_and_the_count_before_a_delete_use_Strong_consistency_whatever_is_configured()
    {
        await using var context = await (await MilvusTestContext.StartAsync(o => o.ConsistencyLevel = "Eventually")).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", Vector4), MilvusTestContext.Passage("p2", [0, 1, 0, 0])],
            CancellationToken.None);
        context.Server.ClearRequests();

        Assert.Equal(["p1", "p2"], (await context.Store.ListIdsAsync(VectorCollection.Passages, "doc-1", CancellationToken.None)).Order());
        var listed = Assert.Single(context.Server.RequestsTo("entities/query"));
        Assert.Equal("Strong", (string?)listed.Body["consistencyLevel"]);

        context.Server.ClearRequests();
        Assert.Equal(1, await context.Store.DeleteAsync(VectorCollection.Passages, ["p1"], CancellationToken.None));
        var counted = Assert.Single(context.Server.RequestsTo("entities/query"));
        Assert.Equal("Strong", (string?)counted.Body["consistencyLevel"]);

        // Searches and plain counts keep the configured level.
        context.Server.ClearRequests();
        await context.Store.CountAsync(VectorCollection.Passages, null, CancellationToken.None);
        Assert.Equal("Eventually", (string?)Assert.Single(context.Server.RequestsTo("entities/query")).Body["consistencyLevel"]);
    }

    /// <summary>The store as a service registers it, with ServiceDefaults' standard handler on every client (its attempt
    /// timeout shortened to <see cref="StandardAttemptTimeout"/>).</summary>
    private static ServiceProvider Provider(MilvusFakeServer server, TimeSpan requestTimeout)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Milvus:Endpoint"] = server.Endpoint.ToString(),
            ["Milvus:RequestTimeout"] = requestTimeout.ToString(),
            ["Milvus:LoadTimeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler(options =>
            options.AttemptTimeout.Timeout = StandardAttemptTimeout));
        services.AddMilvusVectorStore(configuration.GetSection(MilvusOptions.SectionName));
        return services.BuildServiceProvider(validateScopes: true);
    }
}
