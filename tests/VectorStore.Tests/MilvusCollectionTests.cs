using AspireMmRag.VectorStore.Milvus;

namespace AspireMmRag.VectorStore.Tests;

public sealed class MilvusCollectionTests
{
    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task EnsureCollections_creates_missing_collections_then_loads_them(string milvus)
    {
        await using var context = await MilvusTestContext.StartAsync(milvus);

        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);

        Assert.Equal(4, await context.DimensionAsync("passages_v2"));
        Assert.Equal(3, await context.DimensionAsync("images"));
        // Distinct: a real Milvus may answer LoadStateLoading to the first polls (the polling itself is a fake-only case).
        var flow = context.Server.Requests.Select(r => $"{r.Action} {(string?)r.Body["collectionName"]}").Distinct().ToList();
        Assert.Equal(
        [
            "collections/has passages_v2", "collections/create passages_v2", "collections/load passages_v2", "collections/get_load_state passages_v2",
            "collections/has passages",
            "collections/has images", "collections/create images", "collections/load images", "collections/get_load_state images",
            "collections/has image_captions", "collections/create image_captions", "collections/load image_captions", "collections/get_load_state image_captions",
        ], flow);
        Assert.Equal(4, await context.DimensionAsync("image_captions"));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task EnsureCollections_reuses_a_matching_collection_after_describing_it(string milvus)
    {
        await using var context = await MilvusTestContext.StartAsync(milvus);
        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        context.Server.ClearRequests();

        await context.CreateStore().EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);

        Assert.Empty(context.Server.RequestsTo("collections/create"));
        Assert.Equal(3, context.Server.RequestsTo("collections/describe").Count);
        Assert.Equal(3, context.Server.RequestsTo("collections/load").Count);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task EnsureCollections_with_another_dimension_throws_and_does_not_load(string milvus)
    {
        await using var context = await MilvusTestContext.StartAsync(milvus);
        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        context.Server.ClearRequests();

        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            context.CreateStore().EnsureCollectionsAsync(new CollectionDimensions(768, 3), CancellationToken.None));

        Assert.Contains("'passages_v2'", error.Message);
        Assert.Contains("4", error.Message);
        Assert.Contains("768", error.Message);
        Assert.Equal(4, await context.DimensionAsync("passages_v2"));
        Assert.Empty(context.Server.RequestsTo("collections/load"));
        Assert.Empty(context.Server.RequestsTo("collections/create"));
    }

    [Fact]
    [Trait("Milvus", "fake-only")]
    public async Task EnsureCollections_rejects_an_existing_collection_with_another_metric()
    {
        await using var context = await MilvusTestContext.StartAsync();
        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        context.Server.SetMetric("images", "L2");

        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            context.CreateStore().EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None));

        Assert.Contains("L2", error.Message);
    }

    [Fact]
    [Trait("Milvus", "fake-only")]
    public async Task EnsureCollections_waits_until_the_load_state_is_loaded()
    {
        await using var context = await MilvusTestContext.StartAsync();
        context.Server.LoadingPolls = 2;

        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);

        Assert.Equal(3, context.Server.Requests.Count(r => r.Action == "collections/get_load_state" && (string?)r.Body["collectionName"] == "passages_v2"));
    }

    [Fact]
    [Trait("Milvus", "fake-only")]
    public async Task EnsureCollections_gives_up_when_loading_never_finishes()
    {
        await using var context = await MilvusTestContext.StartAsync(o => o.LoadTimeout = TimeSpan.FromMilliseconds(300));
        context.Server.LoadingPolls = -1;

        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None));

        Assert.Contains("did not load", error.Message);
        Assert.Contains("LoadStateLoading", error.Message);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task EnsureCollections_rejects_invalid_dimensions(string milvus)
    {
        await using var context = await MilvusTestContext.StartAsync(milvus);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => context.Store.EnsureCollectionsAsync(new CollectionDimensions(0, 3), CancellationToken.None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => context.Store.EnsureCollectionsAsync(new CollectionDimensions(4, 40000), CancellationToken.None));
        Assert.Empty(context.Server.Requests);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Using_a_collection_without_EnsureCollections_learns_its_dimension_by_describing_it(string milvus)
    {
        await using var context = await MilvusTestContext.StartAsync(milvus);
        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        var other = context.CreateStore();
        context.Server.ClearRequests();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            other.UpsertPassagesAsync([MilvusTestContext.Passage("p1", [1, 0, 0])], CancellationToken.None));
        await other.UpsertPassagesAsync([MilvusTestContext.Passage("p1", [1, 0, 0, 0])], CancellationToken.None);

        Assert.Single(context.Server.RequestsTo("collections/describe"));
        Assert.Equal(1, await context.RowCountAsync("passages_v2"));
    }
}
