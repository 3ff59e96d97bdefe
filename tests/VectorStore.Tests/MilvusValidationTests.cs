namespace AspireMmRag.VectorStore.Tests;

/// <summary>Invalid input is refused with <see cref="ArgumentException"/> before anything is sent.</summary>
public sealed class MilvusValidationTests
{
    private static readonly float[] Vector4 = [1, 0, 0, 0];

    [Fact]
    public async Task Upsert_rejects_a_vector_of_the_wrong_length()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => context.Store.UpsertPassagesAsync(
            [MilvusTestContext.Passage("ok", Vector4), MilvusTestContext.Passage("short", [1, 0, 0])], CancellationToken.None));

        Assert.Contains("short", error.Message);
        Assert.Contains("expects 4", error.Message);
        Assert.Empty(context.Server.Requests);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public async Task Upsert_rejects_non_finite_components(float bad)
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.UpsertImagesAsync([MilvusTestContext.Image("i1", [1, bad, 0])], CancellationToken.None));

        Assert.Contains("component 1", error.Message);
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task Upsert_rejects_a_zero_vector()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("p", [0, 0, 0, 0])], CancellationToken.None));
    }

    [Fact]
    public async Task Upsert_rejects_text_longer_than_the_field_and_states_the_limit()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        var text = new string('é', 4097); // 8194 UTF-8 bytes: Milvus counts bytes

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("long", Vector4, text: text)], CancellationToken.None));

        Assert.Contains("8192", error.Message);
        Assert.Contains("text", error.Message);
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task Text_at_the_limit_is_accepted()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("max", Vector4, text: new string('a', 8192))], CancellationToken.None);

        Assert.Equal(1, context.Server.RowCount("passages_v2"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    [InlineData("tab\tinside")]
    public async Task Invalid_ids_are_rejected(string id)
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.UpsertPassagesAsync([MilvusTestContext.Passage(id, Vector4)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.DeleteAsync(VectorCollection.Passages, [id], CancellationToken.None));
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task Ids_and_filter_values_with_a_lone_surrogate_are_rejected()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        var broken = "lone" + (char)0xD800 + "surrogate"; // built at run time: theory data would be re-encoded

        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.UpsertPassagesAsync([MilvusTestContext.Passage(broken, Vector4)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("ok", Vector4, text: broken)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.CountAsync(VectorCollection.Passages, broken, CancellationToken.None));
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task Ids_longer_than_the_primary_key_are_rejected()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.DeleteAsync(VectorCollection.Images, [new string('x', 129)], CancellationToken.None));

        Assert.Contains("128", error.Message);
    }

    [Fact]
    public async Task Search_rejects_bad_vectors_and_options()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.SearchPassagesAsync([1, 0, 0], new VectorSearchOptions(), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            context.Store.SearchImagesAsync([float.NaN, 0, 0], new VectorSearchOptions(), CancellationToken.None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            context.Store.SearchPassagesAsync(Vector4, new VectorSearchOptions { TopK = 0 }, CancellationToken.None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            context.Store.SearchPassagesAsync(Vector4, new VectorSearchOptions { TopK = 20000 }, CancellationToken.None));
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task Null_document_ids_are_rejected()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => context.Store.ListIdsAsync(VectorCollection.Passages, null!, CancellationToken.None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => context.Store.DeleteDocumentAsync(null!, CancellationToken.None));
        Assert.Empty(context.Server.Requests);
    }
}
