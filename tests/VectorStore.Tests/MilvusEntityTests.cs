using AspireMmRag.VectorStore.Milvus;

namespace AspireMmRag.VectorStore.Tests;

public sealed class MilvusEntityTests
{
    private static readonly float[] North = [1, 0, 0, 0];
    private static readonly float[] NorthEast = [0.8f, 0.6f, 0, 0];
    private static readonly float[] East = [0, 1, 0, 0];
    private static readonly float[] Up = [0, 0, 1, 0];

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Upsert_then_search_returns_the_nearest_passages_with_cosine_scores_and_fields(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync(
        [
            MilvusTestContext.Passage("p-north", North, chunk: 0),
            MilvusTestContext.Passage("p-east", East, chunk: 1),
            MilvusTestContext.Passage("p-up", Up, chunk: 2, text: "Helsinki – the capital of Finland"),
        ], CancellationToken.None);

        float[] query = [0.9f, 0.1f, 0.3f, 0];
        var hits = await context.Store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 2 }, CancellationToken.None);

        Assert.Equal(["p-north", "p-up"], hits.Select(h => h.Record.Id));
        Assert.Equal(MilvusTestContext.Cosine(query, North), hits[0].Score, 5);
        Assert.Equal(MilvusTestContext.Cosine(query, Up), hits[1].Score, 5);
        var up = hits[1].Record;
        Assert.Equal("Helsinki – the capital of Finland", up.Text);
        Assert.Equal(2, up.ChunkIndex);
        Assert.Equal("doc-1", up.DocumentId);
        Assert.Equal("wikipedia", up.Source);
        Assert.Equal("Title of doc-1", up.Title);
        Assert.Equal("https://example.org/doc-1", up.Url);
        Assert.Equal("Intro", up.Section);
        Assert.Equal("rev-1", up.Revision);
        Assert.Empty(up.Vector);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Upsert_replaces_rows_with_the_same_id(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", North, text: "old")], CancellationToken.None);

        await context.Store.UpsertPassagesAsync(
            [MilvusTestContext.Passage("p1", East, text: "older"), MilvusTestContext.Passage("p1", East, text: "new")], CancellationToken.None);

        Assert.Equal(1, await context.RowCountAsync("passages_v2"));
        var hit = Assert.Single(await context.Store.SearchPassagesAsync(East, new VectorSearchOptions(), CancellationToken.None));
        Assert.Equal("new", hit.Record.Text);
        Assert.Equal(1f, hit.Score, 5);
        var upsert = context.Server.RequestsTo("entities/upsert").Last();
        Assert.Single(upsert.Body["data"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Upsert_sends_large_lists_in_batches(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus, o => o.UpsertBatchSize = 2)).WithCollectionsAsync();
        var records = Enumerable.Range(0, 5).Select(i => MilvusTestContext.Passage($"p{i}", [1, i, 0, 0], chunk: i)).ToList();

        await context.Store.UpsertPassagesAsync(records, CancellationToken.None);

        Assert.Equal([2, 2, 1], context.Server.RequestsTo("entities/upsert").Select(r => r.Body["data"]!.AsArray().Count));
        Assert.Equal(5, await context.RowCountAsync("passages_v2"));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Search_filters_by_sets_of_documents_and_sources(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync(
        [
            MilvusTestContext.Passage("a-wiki", North, documentId: "doc-a", source: "wikipedia"),
            MilvusTestContext.Passage("a-pdf", NorthEast, documentId: "doc-a", source: "pdf"),
            MilvusTestContext.Passage("b-wiki", NorthEast, documentId: "doc-b", source: "wikipedia"),
            MilvusTestContext.Passage("c-md", East, documentId: "doc-c", source: "markdown"),
            MilvusTestContext.Passage("d-pdf", Up, documentId: "doc-d", source: "pdf"),
        ], CancellationToken.None);

        var byDocument = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { DocumentIds = ["doc-b"] }, CancellationToken.None);
        var bySource = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { Sources = ["pdf"] }, CancellationToken.None);
        var byBoth = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { DocumentIds = ["doc-a"], Sources = ["wikipedia"] }, CancellationToken.None);
        var byDocuments = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { DocumentIds = ["doc-c", "doc-b", "doc-c"] }, CancellationToken.None);
        var bySources = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { Sources = ["markdown", "pdf"] }, CancellationToken.None);
        var bySets = await context.Store.SearchPassagesAsync(North,
            new VectorSearchOptions { DocumentIds = ["doc-a", "doc-c", "doc-d"], Sources = ["pdf", "markdown"] }, CancellationToken.None);
        var unknown = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { DocumentIds = ["nope"] }, CancellationToken.None);
        var empty = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { DocumentIds = [], Sources = [] }, CancellationToken.None);

        Assert.Equal(["b-wiki"], byDocument.Select(h => h.Record.Id));
        Assert.Equal(["a-pdf", "d-pdf"], bySource.Select(h => h.Record.Id));
        Assert.Equal(["a-wiki"], byBoth.Select(h => h.Record.Id));
        Assert.Equal(["b-wiki", "c-md"], byDocuments.Select(h => h.Record.Id));
        Assert.Equal(["a-pdf", "c-md", "d-pdf"], bySources.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["a-pdf", "c-md", "d-pdf"], bySets.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.Empty(unknown);
        Assert.Equal(5, empty.Count);
        var filters = context.Server.RequestsTo("entities/search").Select(r => (string?)r.Body["filter"]).ToList();
        Assert.Equal(
        [
            "document_id in [\"doc-b\"]",
            "source in [\"pdf\"]",
            "document_id in [\"doc-a\"] && source in [\"wikipedia\"]",
            "document_id in [\"doc-c\",\"doc-b\"]",
            "source in [\"markdown\",\"pdf\"]",
            "document_id in [\"doc-a\",\"doc-c\",\"doc-d\"] && source in [\"pdf\",\"markdown\"]",
            "document_id in [\"nope\"]",
            null,
        ], filters);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task A_filtered_search_ranks_among_the_matching_rows_only(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        var near = Enumerable.Range(0, 10).Select(i => MilvusTestContext.Passage($"near{i}", [1, 0.01f * i, 0, 0], documentId: "crowd")).ToList();
        await context.Store.UpsertPassagesAsync(
            [.. near, MilvusTestContext.Passage("far-1", East, documentId: "rare"), MilvusTestContext.Passage("far-2", Up, documentId: "rare", source: "pdf")],
            CancellationToken.None);

        var hits = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { TopK = 2, DocumentIds = ["rare", "missing"] }, CancellationToken.None);

        Assert.Equal(["far-1", "far-2"], hits.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.Equal(2, (int)context.Server.RequestsTo("entities/search").Single().Body["limit"]!);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Search_drops_hits_below_MinScore(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync(
            [MilvusTestContext.Passage("near", NorthEast), MilvusTestContext.Passage("far", East), MilvusTestContext.Passage("same", North)],
            CancellationToken.None);

        var hits = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { TopK = 3, MinScore = 0.5f }, CancellationToken.None);

        Assert.Equal(["same", "near"], hits.Select(h => h.Record.Id));
        Assert.Equal(0.8f, hits[1].Score, 5);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task The_default_MinScore_keeps_even_opposite_vectors(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("opposite", [-1, 0, 0, 0])], CancellationToken.None);

        var hit = Assert.Single(await context.Store.SearchPassagesAsync(North, new VectorSearchOptions(), CancellationToken.None));

        Assert.Equal(-1f, hit.Score, 5);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Images_are_stored_and_searched_in_their_own_collection(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertImagesAsync(
            [MilvusTestContext.Image("i1", [1, 0, 0]), MilvusTestContext.Image("i2", [0, 1, 0], documentId: "doc-2")], CancellationToken.None);

        var hit = Assert.Single(await context.Store.SearchImagesAsync([0.1f, 1, 0], new VectorSearchOptions { TopK = 1 }, CancellationToken.None));

        Assert.Equal("i2", hit.Record.Id);
        Assert.Equal("media/i2.jpg", hit.Record.MediaRef);
        Assert.Equal("Caption of i2", hit.Record.Caption);
        Assert.Equal("CC BY-SA 4.0", hit.Record.Attribution);
        Assert.Equal("doc-2", hit.Record.DocumentId);
        Assert.Equal(MilvusTestContext.Image("i2", [], documentId: "doc-2"), hit.Record);
        Assert.Equal(0, await context.RowCountAsync("passages_v2"));
        Assert.Equal(2, await context.RowCountAsync("images"));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task ListIds_pages_with_an_id_cursor_over_several_pages(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus, o => o.QueryPageSize = 2)).WithCollectionsAsync();
        var mine = Enumerable.Range(0, 5).Select(i => MilvusTestContext.Passage($"doc-1-{i}", North, chunk: i)).ToList();
        var others = Enumerable.Range(0, 3).Select(i => MilvusTestContext.Passage($"doc-2-{i}", North, documentId: "doc-2")).ToList();
        await context.Store.UpsertPassagesAsync([.. mine, .. others], CancellationToken.None);
        context.Server.ClearRequests();

        var ids = await context.Store.ListIdsAsync(VectorCollection.Passages, "doc-1", CancellationToken.None);

        Assert.Equal(mine.Select(p => p.Id).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        var queries = context.Server.RequestsTo("entities/query");
        Assert.Equal(3, queries.Count);
        Assert.All(queries, q => Assert.Equal(2, (int)q.Body["limit"]!));
        Assert.All(queries, q => Assert.Null(q.Body["offset"]));
        Assert.Equal(
        [
            "document_id == \"doc-1\"",
            "document_id == \"doc-1\" && id > \"doc-1-1\"",
            "document_id == \"doc-1\" && id > \"doc-1-3\"",
        ], queries.Select(q => (string?)q.Body["filter"]));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task ListIds_of_an_unknown_document_is_empty(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();

        Assert.Empty(await context.Store.ListIdsAsync(VectorCollection.Images, "nope", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Delete_by_ids_removes_them_in_batches_and_ignores_unknown_ids(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus, o => o.DeleteBatchSize = 2)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync(
            Enumerable.Range(0, 4).Select(i => MilvusTestContext.Passage($"p{i}", North)).ToList(), CancellationToken.None);

        var deleted = await context.Store.DeleteAsync(VectorCollection.Passages, ["p0", "p2", "missing", "p3"], CancellationToken.None);

        Assert.Equal(3, deleted);
        Assert.Equal(["p1"], await context.RowIdsAsync("passages_v2"));
        Assert.Equal(
            ["id in [\"p0\",\"p2\"]", "id in [\"missing\",\"p3\"]"],
            context.Server.RequestsTo("entities/delete").Select(r => (string?)r.Body["filter"]));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task DeleteDocument_removes_the_document_from_all_three_collections(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync(
            [MilvusTestContext.Passage("a1", North, documentId: "a"), MilvusTestContext.Passage("a2", East, documentId: "a"), MilvusTestContext.Passage("b1", North, documentId: "b")],
            CancellationToken.None);
        await context.Store.UpsertImagesAsync(
            [MilvusTestContext.Image("ai", [1, 0, 0], documentId: "a"), MilvusTestContext.Image("bi", [1, 0, 0], documentId: "b")], CancellationToken.None);
        await context.Store.UpsertImageCaptionsAsync(
            [MilvusTestContext.Image("ai", North, documentId: "a"), MilvusTestContext.Image("aj", East, documentId: "a"), MilvusTestContext.Image("bi", North, documentId: "b")],
            CancellationToken.None);

        var deleted = await context.Store.DeleteDocumentAsync("a", CancellationToken.None);

        Assert.Equal(5, deleted);
        Assert.Equal(["b1"], await context.RowIdsAsync("passages_v2"));
        Assert.Equal(["bi"], await context.RowIdsAsync("images"));
        Assert.Equal(["bi"], await context.RowIdsAsync("image_captions"));
        Assert.All(context.Server.RequestsTo("entities/delete"), r => Assert.Equal("document_id == \"a\"", (string?)r.Body["filter"]));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Count_counts_a_collection_or_one_document(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync(
            [MilvusTestContext.Passage("a1", North, documentId: "a"), MilvusTestContext.Passage("a2", East, documentId: "a"), MilvusTestContext.Passage("b1", North, documentId: "b")],
            CancellationToken.None);

        Assert.Equal(3, await context.Store.CountAsync(VectorCollection.Passages, null, CancellationToken.None));
        Assert.Equal(2, await context.Store.CountAsync(VectorCollection.Passages, "a", CancellationToken.None));
        Assert.Equal(0, await context.Store.CountAsync(VectorCollection.Images, "a", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Ids_and_document_ids_with_quotes_and_backslashes_do_not_break_filters(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        const string trickyDocument = "doc \"quoted\" \\ \" || id != \"";
        const string trickyId = "id\"with\\quote\" || true";
        await context.Store.UpsertPassagesAsync(
        [
            MilvusTestContext.Passage(trickyId, North, documentId: trickyDocument),
            MilvusTestContext.Passage("plain", North, documentId: "doc \"quoted\""),
        ], CancellationToken.None);

        Assert.Equal([trickyId], await context.Store.ListIdsAsync(VectorCollection.Passages, trickyDocument, CancellationToken.None));
        Assert.Equal(1, await context.Store.CountAsync(VectorCollection.Passages, trickyDocument, CancellationToken.None));
        var hits = await context.Store.SearchPassagesAsync(North, new VectorSearchOptions { DocumentIds = [trickyDocument] }, CancellationToken.None);
        Assert.Equal([trickyId], hits.Select(h => h.Record.Id));
        Assert.Equal(1, await context.Store.DeleteAsync(VectorCollection.Passages, [trickyId], CancellationToken.None));
        Assert.Equal(["plain"], await context.RowIdsAsync("passages_v2"));
        var delete = context.Server.RequestsTo("entities/delete").Single();
        Assert.Equal("id in [\"id\\\"with\\\\quote\\\" || true\"]", (string?)delete.Body["filter"]);
    }

    [Theory]
    [MemberData(nameof(MilvusTargets.All), MemberType = typeof(MilvusTargets))]
    public async Task Line_breaks_in_filter_values_are_escaped(string milvus)
    {
        await using var context = await (await MilvusTestContext.StartAsync(milvus)).WithCollectionsAsync();
        const string document = "line\nbreak\tand\u0001control";
        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", North, documentId: document)], CancellationToken.None);

        Assert.Equal(1, await context.Store.CountAsync(VectorCollection.Passages, document, CancellationToken.None));
        Assert.Equal("document_id == \"line\\nbreak\\tand\\u0001control\"", (string?)context.Server.RequestsTo("entities/query").Last().Body["filter"]);
    }
}
