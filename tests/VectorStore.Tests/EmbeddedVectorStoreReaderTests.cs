using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>A Reader store (a separate instance with its own SQLite connections and index, as another process would have)
/// following a Writer on the same directory.</summary>
public sealed class EmbeddedVectorStoreReaderTests : IDisposable
{
    private const int Dimension = 64;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension, seed: 3);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_reader_sees_the_writers_inserts_replacements_and_deletes_after_a_refresh()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader,
            configure: o => o.ReaderPollInterval = TimeSpan.FromHours(1));
        var rows = Enumerable.Range(0, 20).Select(i => EmbeddedTestData.Passage($"p{i}", _data.Vector(), $"doc-{i % 2}")).ToList();

        await writer.UpsertPassagesAsync(rows, None);
        await reader.RefreshAsync(None);
        var inserted = await reader.SearchPassagesAsync(rows[4].Vector, new VectorSearchOptions { TopK = 1 }, None);
        Assert.Equal("p4", inserted[0].Record.Id);
        Assert.Equal(20, await reader.CountAsync(VectorCollection.Passages, null, None));

        var replacement = _data.Vector();
        await writer.UpsertPassagesAsync([EmbeddedTestData.Passage("p4", replacement, "doc-0", revision: "r2")], None);
        await writer.DeleteAsync(VectorCollection.Passages, ["p5"], None);
        await writer.DeleteDocumentAsync("doc-1", None);
        await reader.RefreshAsync(None);

        var byOld = await reader.SearchPassagesAsync(rows[4].Vector, new VectorSearchOptions { TopK = 20 }, None);
        var byNew = await reader.SearchPassagesAsync(replacement, new VectorSearchOptions { TopK = 1 }, None);
        Assert.Equal(("p4", "r2"), (byNew[0].Record.Id, byNew[0].Record.Revision));
        Assert.Single(byOld, h => h.Record.Id == "p4");
        Assert.Equal("r2", byOld.Single(h => h.Record.Id == "p4").Record.Revision);
        Assert.DoesNotContain(byOld, h => h.Record.Id == "p5" || h.Record.DocumentId == "doc-1");
        Assert.Equal(10, byOld.Count);
        Assert.Equal(reader.GetStatistics(VectorCollection.Passages)!.LastSeq, writer.GetStatistics(VectorCollection.Passages)!.LastSeq);
    }

    [Fact]
    public async Task A_reader_never_returns_a_deleted_or_replaced_row_even_before_it_refreshes()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader,
            configure: o => o.ReaderPollInterval = TimeSpan.FromHours(1));
        var rows = Enumerable.Range(0, 10).Select(i => EmbeddedTestData.Passage($"p{i}", _data.Vector())).ToList();
        await writer.UpsertPassagesAsync(rows, None);
        await reader.RefreshAsync(None);

        await writer.UpsertPassagesAsync([EmbeddedTestData.Passage("p1", _data.Vector(), revision: "r2")], None);
        await writer.DeleteAsync(VectorCollection.Passages, ["p2"], None);
        var hits = await reader.SearchPassagesAsync(rows[1].Vector, new VectorSearchOptions { TopK = 10 }, None);

        // Candidates are re-read from SQLite: the old p1 and p2 are gone there; the new p1 shows up after a refresh.
        Assert.DoesNotContain(hits, h => h.Record.Id is "p1" or "p2");
        Assert.Equal(8, hits.Count);
    }

    [Fact]
    public async Task A_reader_picks_up_writes_by_polling_and_with_RefreshOnSearch()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        await using var polling = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader);
        await using var refreshing = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader,
            configure: o => { o.ReaderPollInterval = TimeSpan.FromHours(1); o.RefreshOnSearch = true; });
        var row = EmbeddedTestData.Passage("p1", _data.Vector());

        await writer.UpsertPassagesAsync([row], None);

        var immediately = await refreshing.SearchPassagesAsync(row.Vector, new VectorSearchOptions(), None);
        Assert.Equal("p1", Assert.Single(immediately).Record.Id);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        IReadOnlyList<VectorSearchHit<PassageRecord>> polled;
        do
        {
            await Task.Delay(20);
            polled = await polling.SearchPassagesAsync(row.Vector, new VectorSearchOptions(), None);
        }
        while (polled.Count == 0 && DateTime.UtcNow < deadline);
        Assert.Equal("p1", Assert.Single(polled).Record.Id);
    }

    [Fact]
    public async Task A_reader_maps_the_writers_index_snapshot_and_switches_to_newer_ones()
    {
        var data = new EmbeddedTestData(128, seed: 5);
        await using var writer = await _directory.OpenAsync(128, exactScanThreshold: 500, configure: o => o.SnapshotInterval = TimeSpan.FromHours(1));
        var rows = Enumerable.Range(0, 1500).Select(i => EmbeddedTestData.Passage($"p{i}", data.Vector(), $"doc-{i % 50}")).ToList();
        await writer.UpsertPassagesAsync(rows, None);
        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(writer);
        await writer.SaveSnapshotsAsync(None);

        await using var reader = await _directory.OpenAsync(128, VectorStoreRole.Reader,
            configure: o => o.ReaderPollInterval = TimeSpan.FromHours(1));
        var opened = reader.GetStatistics(VectorCollection.Passages)!;
        Assert.True(opened.IndexIsView);
        Assert.Equal(1500, opened.IndexedVectors);
        Assert.Equal(0, opened.FreshRows);
        var query = data.Vector();
        var hits = await reader.SearchPassagesAsync(query, new VectorSearchOptions { TopK = 10 }, None);
        Assert.True(EmbeddedTestData.ExactTopK(rows, query, 10).Intersect(hits.Select(h => h.Record.Id)).Count() >= 8);

        var more = Enumerable.Range(1500, 300).Select(i => EmbeddedTestData.Passage($"p{i}", data.Vector(), "doc-late")).ToList();
        await writer.UpsertPassagesAsync(more, None);
        await writer.DeleteAsync(VectorCollection.Passages, ["p0"], None);
        await reader.RefreshAsync(None);
        var beforeSnapshot = reader.GetStatistics(VectorCollection.Passages)!;
        Assert.Equal(300, beforeSnapshot.FreshRows);
        Assert.Equal("p1600", (await reader.SearchPassagesAsync(more[100].Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record.Id);
        Assert.DoesNotContain(await reader.SearchPassagesAsync(rows[0].Vector, new VectorSearchOptions { TopK = 5 }, None), h => h.Record.Id == "p0");

        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(writer);
        await writer.SaveSnapshotsAsync(None);
        await reader.RefreshAsync(None);
        var afterSnapshot = reader.GetStatistics(VectorCollection.Passages)!;
        Assert.True(afterSnapshot.SnapshotSeq > opened.SnapshotSeq);
        Assert.Equal(0, afterSnapshot.FreshRows);
        Assert.Equal(1799, afterSnapshot.Rows);
        Assert.Equal("p1600", (await reader.SearchPassagesAsync(more[100].Vector, new VectorSearchOptions { TopK = 1 }, None))[0].Record.Id);
        Assert.DoesNotContain(await reader.SearchPassagesAsync(rows[0].Vector, new VectorSearchOptions { TopK = 5 }, None), h => h.Record.Id == "p0");
    }
}
