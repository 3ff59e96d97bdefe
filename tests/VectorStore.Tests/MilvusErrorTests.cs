using System.Net;
using AspireMmRag.VectorStore.Milvus;
using Microsoft.AspNetCore.Http;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// Error mapping: Milvus error codes (HTTP 200), HTTP errors and unreadable answers → <see cref="MilvusRequestException"/>
/// (a <see cref="VectorStoreException"/>); the per-call timeout → <see cref="MilvusRequestException"/> with an inner
/// <see cref="TimeoutException"/>; the caller's cancellation → <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class MilvusErrorTests
{
    private static readonly float[] Vector4 = [1, 0, 0, 0];

    [Fact]
    public async Task A_Milvus_error_code_with_HTTP_200_becomes_a_VectorStoreException_with_code_message_and_action()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        context.Server.Intercept = (request, http) => request.Action == "entities/search"
            ? Json(http, """{"code":1100,"message":"invalid parameter[expected=valid search params][actual=ef is smaller than topk]"}""")
            : Task.FromResult(false);

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            context.Store.SearchPassagesAsync(Vector4, new VectorSearchOptions(), CancellationToken.None));

        Assert.IsAssignableFrom<VectorStoreException>(error);
        Assert.Equal(1100, error.Code);
        Assert.Equal("entities/search", error.Action);
        Assert.Contains("1100", error.Message);
        Assert.Contains("ef is smaller than topk", error.Message);
        Assert.Contains("entities/search", error.Message);
        Assert.Contains("passages", error.Message);
    }

    [Fact]
    public async Task Model_errors_surface_too_for_example_an_unloaded_collection()
    {
        await using var context = await MilvusTestContext.StartAsync();

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            context.Store.CountAsync(VectorCollection.Passages, null, CancellationToken.None));

        Assert.Equal(100, error.Code);
        Assert.Contains("collection not found", error.Message);
    }

    [Fact]
    public async Task Success_code_200_of_some_2_4_builds_is_accepted()
    {
        await using var context = await MilvusTestContext.StartAsync();
        context.Server.SuccessCode = 200;
        await context.WithCollectionsAsync();

        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", Vector4)], CancellationToken.None);

        Assert.Single(await context.Store.SearchPassagesAsync(Vector4, new VectorSearchOptions(), CancellationToken.None));
        Assert.Equal(1, await context.Store.CountAsync(VectorCollection.Passages, null, CancellationToken.None));
    }

    [Fact]
    public async Task HTTP_500_becomes_a_VectorStoreException_with_the_status()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        context.Server.Intercept = async (_, http) =>
        {
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await http.Response.WriteAsync("upstream exploded");
            return true;
        };

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", Vector4)], CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Contains("HTTP 500", error.Message);
        Assert.Contains("upstream exploded", error.Message);
        Assert.Contains("entities/upsert", error.Message);
    }

    [Fact]
    public async Task An_answer_that_is_not_JSON_becomes_a_VectorStoreException()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        context.Server.Intercept = async (_, http) =>
        {
            await http.Response.WriteAsync("<html>proxy error</html>");
            return true;
        };

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            context.Store.CountAsync(VectorCollection.Images, null, CancellationToken.None));

        Assert.Contains("not JSON", error.Message);
    }

    [Fact]
    public async Task A_refused_connection_becomes_a_VectorStoreException()
    {
        var context = await MilvusTestContext.StartAsync();
        var store = context.CreateStore();
        await context.Server.DisposeAsync();

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            store.CountAsync(VectorCollection.Passages, null, CancellationToken.None));

        Assert.IsType<HttpRequestException>(error.InnerException);
        context.Http.Dispose();
    }

    [Fact]
    public async Task A_call_slower_than_RequestTimeout_becomes_a_VectorStoreException_with_a_TimeoutException_inside()
    {
        await using var context = await (await MilvusTestContext.StartAsync(o => o.RequestTimeout = TimeSpan.FromMilliseconds(200))).WithCollectionsAsync();
        context.Server.Intercept = async (_, http) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return true;
        };

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            context.Store.SearchPassagesAsync(Vector4, new VectorSearchOptions(), CancellationToken.None));

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Contains("entities/search", error.Message);
    }

    [Fact]
    public async Task Cancelling_the_callers_token_throws_OperationCanceledException()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        context.Server.Intercept = async (_, http) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return true;
        };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            context.Store.SearchPassagesAsync(Vector4, new VectorSearchOptions(), cancellation.Token));
    }

    [Fact]
    public async Task A_failed_create_that_was_not_a_race_is_reported()
    {
        await using var context = await MilvusTestContext.StartAsync();
        context.Server.Intercept = (request, http) => request.Action == "collections/create"
            ? Json(http, """{"code":1801,"message":"invalid index parameter: M out of range"}""")
            : Task.FromResult(false);

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None));

        Assert.Equal(1801, error.Code);
        Assert.Equal("collections/create", error.Action);
    }

    private static async Task<bool> Json(HttpContext http, string body)
    {
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body);
        return true;
    }
}
