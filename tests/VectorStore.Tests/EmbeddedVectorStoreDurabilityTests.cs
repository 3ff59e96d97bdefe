using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

public sealed class EmbeddedVectorStoreDurabilityTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Rows_survive_dispose_and_reopen_with_the_same_results()
    {
        var data = new EmbeddedTestData(32);
        var rows = Enumerable.Range(0, 200).Select(i => EmbeddedTestData.Passage($"p{i}", data.Vector(), $"doc-{i % 4}")).ToList();
        var queries = Enumerable.Range(0, 5).Select(_ => data.Vector()).ToList();
        List<List<string>> before;
        await using (var store = await _directory.OpenAsync(32))
        {
            await store.UpsertPassagesAsync(rows, None);
            await store.UpsertPassagesAsync([EmbeddedTestData.Passage("p7", data.Vector(), "doc-3", revision: "r2")], None);
            await store.DeleteAsync(VectorCollection.Passages, ["p8"], None);
            before = await SearchAllAsync(store, queries);
        }

        await using var reopened = await _directory.OpenAsync(32);
        Assert.Equal(199, await reopened.CountAsync(VectorCollection.Passages, null, None));
        Assert.Equal(before, await SearchAllAsync(reopened, queries));
        var p7 = await reopened.SearchPassagesAsync(queries[0], new VectorSearchOptions { TopK = 200, DocumentIds = ["doc-3"] }, None);
        Assert.Equal("r2", p7.Single(h => h.Record.Id == "p7").Record.Revision);
    }

    [Fact]
    public async Task An_indexed_collection_reopens_from_its_snapshot_and_replays_later_changes()
    {
        var data = new EmbeddedTestData(128, seed: 9);
        var rows = Enumerable.Range(0, 2000).Select(i => EmbeddedTestData.Passage($"p{i}", data.Vector(), $"doc-{i % 40}")).ToList();
        var queries = Enumerable.Range(0, 10).Select(_ => data.Vector()).ToList();
        List<List<string>> before;
        await using (var store = await _directory.OpenAsync(128, exactScanThreshold: 500, configure: o => o.SnapshotInterval = TimeSpan.FromHours(1)))
        {
            await store.UpsertPassagesAsync(rows, None);
            await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(store);
            await store.SaveSnapshotsAsync(None);
            // Changes after the snapshot: replayed from SQLite at the next start.
            store.IndexingPaused = true;
            await store.UpsertPassagesAsync([EmbeddedTestData.Passage("late", queries[0], "doc-late")], None);
            await store.DeleteAsync(VectorCollection.Passages, ["p1", "p2"], None);
            before = await SearchAllAsync(store, queries);
        }
        Assert.Equal(2, Directory.GetFiles(_directory.Path, "passages-*.usearch").Length);

        await using var reopened = await _directory.OpenAsync(128, exactScanThreshold: 500);
        var statistics = reopened.GetStatistics(VectorCollection.Passages)!;
        Assert.True(statistics.SnapshotSeq > 0);
        Assert.True(statistics.AnnIndex);
        Assert.Equal(1999, statistics.Rows);
        Assert.Equal(before, await SearchAllAsync(reopened, queries));
        Assert.Equal("late", before[0][0]);
        Assert.DoesNotContain(before.SelectMany(ids => ids), id => id is "p1" or "p2");
    }

    [Fact]
    public async Task A_lost_or_corrupt_snapshot_is_rebuilt_from_sqlite()
    {
        var data = new EmbeddedTestData(64, seed: 4);
        var rows = Enumerable.Range(0, 800).Select(i => EmbeddedTestData.Passage($"p{i}", data.Vector())).ToList();
        await using (var store = await _directory.OpenAsync(64, exactScanThreshold: 300))
        {
            await store.UpsertPassagesAsync(rows, None);
            await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(store);
        }
        foreach (var file in Directory.GetFiles(_directory.Path, "passages-*.usearch"))
        {
            await File.WriteAllBytesAsync(file, new byte[100]);
        }

        await using var reopened = await _directory.OpenAsync(64, exactScanThreshold: 300);
        Assert.Equal(800, reopened.GetStatistics(VectorCollection.Passages)!.Rows);
        Assert.Equal("p5", (await reopened.SearchPassagesAsync(rows[5].Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record.Id);
        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(reopened);
        Assert.Equal(800, reopened.GetStatistics(VectorCollection.Passages)!.IndexedVectors);
        Assert.Equal("p6", (await reopened.SearchPassagesAsync(rows[6].Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record.Id);
    }

    private static async Task<List<List<string>>> SearchAllAsync(EmbeddedVectorStore store, List<float[]> queries)
    {
        var results = new List<List<string>>();
        foreach (var query in queries)
        {
            var hits = await store.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10 }, None);
            results.Add(hits.Select(h => h.Record.Id).ToList());
        }
        return results;
    }
}
