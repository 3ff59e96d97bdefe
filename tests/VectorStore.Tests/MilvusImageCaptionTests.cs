namespace AspireMmRag.VectorStore.Tests;

/// <summary>The image-captions collection and the image record's descriptive fields on Milvus.</summary>
public sealed class MilvusImageCaptionTests
{
    private static readonly float[] North = [1, 0, 0, 0];
    private static readonly float[] East = [0, 1, 0, 0];
    private static readonly float[] Up = [0, 0, 1, 0];
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Captions_are_upserted_searched_listed_counted_and_deleted_in_their_own_collection()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        await context.Store.UpsertImageCaptionsAsync(
        [
            MilvusTestContext.Image("c1", North, documentId: "doc-1"),
            MilvusTestContext.Image("c2", East, documentId: "doc-1", source: "local"),
            MilvusTestContext.Image("c3", Up, documentId: "doc-2"),
        ], None);

        var hits = await context.Store.SearchImageCaptionsAsync([0.9f, 0.2f, 0, 0], new VectorSearchOptions { TopK = 2 }, None);
        var filtered = await context.Store.SearchImageCaptionsAsync(North, new VectorSearchOptions { DocumentIds = ["doc-1"], Sources = ["local"] }, None);

        Assert.Equal(["c1", "c2"], hits.Select(h => h.Record.Id));
        Assert.Equal(MilvusTestContext.Image("c1", [], documentId: "doc-1"), hits[0].Record);
        Assert.Equal(["c2"], filtered.Select(h => h.Record.Id));
        Assert.Equal(3, context.Server.RowCount("image_captions"));
        Assert.Equal(0, context.Server.RowCount("images"));
        Assert.Equal(["c1", "c2"], (await context.Store.ListIdsAsync(VectorCollection.ImageCaptions, "doc-1", None)).Order(StringComparer.Ordinal));
        Assert.Equal(3, await context.Store.CountAsync(VectorCollection.ImageCaptions, null, None));
        Assert.Equal(1, await context.Store.CountAsync(VectorCollection.ImageCaptions, "doc-2", None));
        Assert.Equal(1, await context.Store.DeleteAsync(VectorCollection.ImageCaptions, ["c3", "missing"], None));
        Assert.Equal(["c1", "c2"], context.Server.RowIds("image_captions"));
        Assert.All(context.Server.RequestsTo("entities/upsert").Concat(context.Server.RequestsTo("entities/search")),
            r => Assert.Equal("image_captions", (string?)r.Body["collectionName"]));
    }

    [Fact]
    public async Task Caption_vectors_have_the_passage_dimension()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => context.Store.UpsertImageCaptionsAsync([MilvusTestContext.Image("c1", [1, 0, 0])], None));
        await Assert.ThrowsAsync<ArgumentException>(() => context.Store.SearchImageCaptionsAsync([1, 0, 0], new VectorSearchOptions(), None));
        Assert.Equal(4, context.Server.Dimension("image_captions"));
    }

    [Fact]
    public async Task Image_fields_round_trip_in_the_upsert_rows()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        var image = MilvusTestContext.Image("i1", [1, 0, 0]) with { License = "Public domain", MimeType = "image/png" };

        await context.Store.UpsertImagesAsync([image], None);
        var hit = Assert.Single(await context.Store.SearchImagesAsync([1, 0, 0], new VectorSearchOptions(), None));

        Assert.Equal(image with { Vector = [] }, hit.Record);
        var row = context.Server.RequestsTo("entities/upsert").Single().Body["data"]![0]!;
        Assert.Equal("History › Swedish era", (string?)row["section"]);
        Assert.Equal("https://upload.example.org/i1.jpg", (string?)row["source_url"]);
        Assert.Equal("https://example.org/File:i1.jpg", (string?)row["description_url"]);
        Assert.Equal("Public domain", (string?)row["license"]);
        Assert.Equal("image/png", (string?)row["mime_type"]);
        Assert.Equal("Title of doc-1", (string?)row["title"]);
    }

    [Fact]
    public async Task Oversized_image_fields_are_rejected_before_any_request()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.UpsertImageCaptionsAsync([MilvusTestContext.Image("c1", North) with { MimeType = new string('x', 256) }], None));

        Assert.Contains("mime_type", error.Message);
        Assert.Empty(context.Server.RequestsTo("entities/upsert"));
    }

    [Fact]
    public async Task DeleteDocument_also_clears_captions()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        await context.Store.UpsertImageCaptionsAsync(
            [MilvusTestContext.Image("c1", North, documentId: "a"), MilvusTestContext.Image("c2", North, documentId: "b")], None);

        Assert.Equal(1, await context.Store.DeleteDocumentAsync("a", None));

        Assert.Equal(["c2"], context.Server.RowIds("image_captions"));
        Assert.Contains(context.Server.RequestsTo("entities/query"), r => (string?)r.Body["collectionName"] == "image_captions");
    }

    [Fact]
    public async Task An_images_collection_from_before_the_new_fields_fails_EnsureCollections_with_what_to_do()
    {
        await using var context = await MilvusTestContext.StartAsync();
        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, None);
        context.Server.DropFields("images", "title", "section", "source_url", "description_url", "license", "mime_type");
        context.Server.ClearRequests();

        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            context.CreateStore().EnsureCollectionsAsync(MilvusTestContext.Dimensions, None));

        Assert.Contains("'images'", error.Message);
        Assert.Contains("'title'", error.Message);
        Assert.Contains("'mime_type'", error.Message);
        Assert.Contains("Drop the collection", error.Message);
        Assert.Contains("re-index", error.Message);
        Assert.DoesNotContain(context.Server.RequestsTo("collections/load"), r => (string?)r.Body["collectionName"] == "images");
        Assert.Empty(context.Server.RequestsTo("collections/create"));
    }

    [Fact]
    public async Task Image_captions_collection_name_is_configurable_and_must_differ()
    {
        await using var context = await MilvusTestContext.StartAsync(o => o.ImageCaptionsCollection = "captions_v2");
        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, None);

        Assert.True(context.Server.HasCollection("captions_v2"));
        Assert.False(context.Server.HasCollection("image_captions"));
        Assert.ThrowsAny<Exception>(() => context.CreateStore(o => o.ImageCaptionsCollection = "images"));
    }

    [Fact]
    public async Task Filter_sets_with_a_null_value_are_rejected()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.SearchImageCaptionsAsync(North, new VectorSearchOptions { Sources = ["wikipedia", null!] }, None));
        Assert.Empty(context.Server.RequestsTo("entities/search"));
    }
}
