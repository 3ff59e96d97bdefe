using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>Collections above the exact-scan threshold: HNSW recall, the fresh-row merge, no stale rows.</summary>
public sealed class EmbeddedVectorStoreAnnTests : IDisposable
{
    private const int Dimension = 128;
    private const int Rows = 3_000;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension, seed: 11);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Ann_search_has_high_recall_against_exact_search()
    {
        await using var store = await _directory.OpenAsync(Dimension, exactScanThreshold: 500);
        var rows = await FillAsync(store);
        await WaitForIndexAsync(store);

        var statistics = store.GetStatistics(VectorCollection.Passages)!;
        Assert.True(statistics.AnnIndex);
        Assert.Equal(0, statistics.FreshRows);
        Assert.Equal(Rows, statistics.IndexedVectors);

        double found = 0;
        const int queries = 100;
        for (var q = 0; q < queries; q++)
        {
            var query = _data.Vector();
            var hits = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10 }, None);
            found += EmbeddedTestData.ExactTopK(rows, query, 10).Intersect(hits.Select(h => h.Record.Id)).Count();
        }
        var recall = found / (queries * 10);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    [Fact]
    public async Task A_just_upserted_row_is_found_before_the_index_has_it()
    {
        await using var store = await _directory.OpenAsync(Dimension, exactScanThreshold: 500);
        await FillAsync(store);
        await WaitForIndexAsync(store);

        store.IndexingPaused = true;
        var vector = _data.Vector();
        await store.UpsertPassagesAsync([EmbeddedTestData.Passage("fresh", vector, "doc-new")], None);
        var beforeIndexing = store.GetStatistics(VectorCollection.Passages)!;
        var hits = await store.SearchPassagesAsync(vector, new VectorSearchOptions { TopK = 3 }, None);

        Assert.Equal(1, beforeIndexing.FreshRows);
        Assert.Equal(Rows, beforeIndexing.IndexedVectors);
        Assert.Equal("fresh", hits[0].Record.Id);
        Assert.Equal(1f, hits[0].Score, 3);
        Assert.Equal(3, hits.Count);

        store.IndexingPaused = false;
        await WaitForIndexAsync(store);
        var afterIndexing = store.GetStatistics(VectorCollection.Passages)!;
        hits = await store.SearchPassagesAsync(vector, new VectorSearchOptions { TopK = 3 }, None);
        Assert.Equal(0, afterIndexing.FreshRows);
        Assert.Equal(Rows + 1, afterIndexing.IndexedVectors);
        Assert.Equal("fresh", hits[0].Record.Id);
        Assert.Single(hits, h => h.Record.Id == "fresh");
    }

    [Fact]
    public async Task Replaced_and_deleted_rows_never_surface_from_the_index()
    {
        await using var store = await _directory.OpenAsync(Dimension, exactScanThreshold: 500);
        var rows = await FillAsync(store);
        await WaitForIndexAsync(store);
        store.IndexingPaused = true;

        var replacement = _data.Vector();
        await store.UpsertPassagesAsync([EmbeddedTestData.Passage("p10", replacement, rows[10].DocumentId, revision: "r2")], None);
        await store.DeleteAsync(VectorCollection.Passages, ["p20"], None);
        await store.DeleteDocumentAsync(rows[30].DocumentId, None);

        var byOldVector = await store.SearchPassagesAsync(rows[10].Vector, new VectorSearchOptions { TopK = 20 }, None);
        var byNewVector = await store.SearchPassagesAsync(replacement, new VectorSearchOptions { TopK = 1 }, None);
        var byDeleted = await store.SearchPassagesAsync(rows[20].Vector, new VectorSearchOptions { TopK = 20 }, None);
        var byDeletedDocument = await store.SearchPassagesAsync(rows[30].Vector, new VectorSearchOptions { TopK = 50 }, None);

        Assert.DoesNotContain(byOldVector, h => h.Record.Id == "p10" && h.Record.Revision == "r1");
        Assert.Equal(("p10", "r2"), (byNewVector[0].Record.Id, byNewVector[0].Record.Revision));
        Assert.DoesNotContain(byDeleted, h => h.Record.Id == "p20");
        Assert.DoesNotContain(byDeletedDocument, h => h.Record.DocumentId == rows[30].DocumentId);
        Assert.Equal(20, byDeleted.Count);
        Assert.Equal(50, byDeletedDocument.Count);
    }

    [Fact]
    public async Task Filtered_searches_return_only_matching_rows_and_find_the_best_ones()
    {
        await using var store = await _directory.OpenAsync(Dimension, exactScanThreshold: 500, configure: o => o.FilteredExactScanThreshold = 200);
        var rows = await FillAsync(store);
        await WaitForIndexAsync(store);

        double documentFound = 0, sourceFound = 0;
        const int queries = 30;
        for (var q = 0; q < queries; q++)
        {
            var query = _data.Vector();
            // doc-7 has 30 rows (exact scan through SQLite); source "news" has a third of the rows (filtered HNSW).
            var byDocument = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10, DocumentIds = ["doc-7"] }, None);
            var bySource = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10, Sources = ["news"] }, None);
            Assert.All(byDocument, h => Assert.Equal("doc-7", h.Record.DocumentId));
            Assert.All(bySource, h => Assert.Equal("news", h.Record.Source));
            Assert.Equal(10, bySource.Count);
            documentFound += EmbeddedTestData.ExactTopK(rows.Where(r => r.DocumentId == "doc-7").ToList(), query, 10)
                .Intersect(byDocument.Select(h => h.Record.Id)).Count();
            sourceFound += EmbeddedTestData.ExactTopK(rows.Where(r => r.Source == "news").ToList(), query, 10)
                .Intersect(bySource.Select(h => h.Record.Id)).Count();
        }
        Assert.Equal(1.0, documentFound / (queries * 10));
        Assert.True(sourceFound / (queries * 10) >= 0.9, $"filtered recall@10 = {sourceFound / (queries * 10):F3}");
    }

    private async Task<List<PassageRecord>> FillAsync(EmbeddedVectorStore store)
    {
        var rows = Enumerable.Range(0, Rows)
            .Select(i => EmbeddedTestData.Passage($"p{i}", _data.Vector(), $"doc-{i % 100}", (i % 3) switch { 0 => "wiki", 1 => "news", _ => "local" }))
            .ToList();
        foreach (var chunk in rows.Chunk(500))
        {
            await store.UpsertPassagesAsync(chunk, None);
        }
        return rows;
    }

    internal static async Task WaitForIndexAsync(EmbeddedVectorStore store)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await store.WaitForIndexingAsync(timeout.Token);
    }
}
