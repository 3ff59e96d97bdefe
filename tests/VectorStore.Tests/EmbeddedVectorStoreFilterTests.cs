using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// Multi-valued document and source filters on every search route of the embedded store. The data puts a "crowd" of
/// rows right around the query, so the unfiltered top-k holds none of the filtered rows: a store that ranked first and
/// filtered afterwards would return too few or the wrong rows.
/// </summary>
public sealed class EmbeddedVectorStoreFilterTests : IDisposable
{
    private const int Dimension = 64;
    private const int TopK = 10;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension, seed: 21);
    private readonly float[] _query;

    public EmbeddedVectorStoreFilterTests() => _query = _data.Vector();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Memory_route_filters_by_sets_before_ranking()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var (crowd, targets) = await FillAsync(store, crowdRows: 200, targetRows: 120);
        List<PassageRecord> all = [.. crowd, .. targets];

        await AssertCrowdFillsTheUnfilteredTopK(store, crowd);
        await AssertExactAsync(store, all, SearchRoute.Memory, new VectorSearchOptions { TopK = TopK, DocumentIds = ["t-1", "t-4", "nope"] });
        await AssertExactAsync(store, all, SearchRoute.Memory, new VectorSearchOptions { TopK = TopK, Sources = ["news", "local"] });
        await AssertExactAsync(store, all, SearchRoute.Memory,
            new VectorSearchOptions { TopK = TopK, DocumentIds = ["t-0", "t-1", "t-2", "crowd-3"], Sources = ["news", "wiki"] });
        await AssertExactAsync(store, all, SearchRoute.Memory, new VectorSearchOptions { TopK = TopK, DocumentIds = ["t-2", "t-2"], Sources = ["markdown"] });
    }

    [Fact]
    public async Task FilteredSql_route_filters_by_sets_before_ranking()
    {
        await using var store = await _directory.OpenAsync(Dimension, exactScanThreshold: 500, configure: o => o.FilteredExactScanThreshold = 200);
        var (crowd, targets) = await FillAsync(store, crowdRows: 1000, targetRows: 600);
        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(store);
        Assert.True(store.GetStatistics(VectorCollection.Passages)!.AnnIndex);

        await AssertCrowdFillsTheUnfilteredTopK(store, crowd);
        // 20 rows per target document: two of them (and an unknown id) match 40 rows.
        await AssertExactAsync(store, targets, SearchRoute.FilteredSql, new VectorSearchOptions { TopK = TopK, DocumentIds = ["t-1", "t-17", "nope"] });
        await AssertExactAsync(store, targets, SearchRoute.FilteredSql,
            new VectorSearchOptions { TopK = TopK, DocumentIds = ["t-3", "t-4", "t-5"], Sources = ["news", "markdown"] });
        // Many values: more than the statement takes as separate parameters.
        var many = Enumerable.Range(0, 400).Select(i => $"unknown-{i}").Append("t-8").Append("t-9").ToList();
        await AssertExactAsync(store, targets, SearchRoute.FilteredSql, new VectorSearchOptions { TopK = TopK, DocumentIds = many });
        await AssertExactAsync(store, targets, SearchRoute.FilteredSql,
            new VectorSearchOptions { TopK = TopK, DocumentIds = ["t-8", "t-9"], Sources = [.. many.Take(300), "news"] });
    }

    [Fact]
    public async Task Ann_route_filters_by_sets_during_the_traversal_and_merges_fresh_rows()
    {
        await using var store = await _directory.OpenAsync(Dimension, exactScanThreshold: 500, configure: o => o.FilteredExactScanThreshold = 200);
        var (crowd, targets) = await FillAsync(store, crowdRows: 1000, targetRows: 600);
        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(store);

        await AssertCrowdFillsTheUnfilteredTopK(store, crowd);
        var bySources = new VectorSearchOptions { TopK = TopK, Sources = ["news", "local"] };
        var byDocuments = new VectorSearchOptions { TopK = TopK, DocumentIds = [.. Enumerable.Range(0, 15).Select(i => $"t-{i}"), "nope"] };
        var byBoth = new VectorSearchOptions { TopK = TopK, DocumentIds = [.. Enumerable.Range(0, 30).Select(i => $"t-{i}")], Sources = ["news", "markdown"] };
        foreach (var options in new[] { bySources, byDocuments, byBoth })
        {
            var hits = await store.SearchPassagesAsync(_query, options, None);
            Assert.Equal(SearchRoute.Ann, store.LastSearchRoute);
            Assert.Equal(TopK, hits.Count);
            Assert.All(hits, h => Assert.True(Matches(h.Record, options)));
            var exact = EmbeddedTestData.ExactTopK(targets.Where(r => Matches(r, options)).ToList(), _query, TopK);
            Assert.True(exact.Intersect(hits.Select(h => h.Record.Id)).Count() >= TopK - 1, string.Join(",", hits.Select(h => h.Record.Id)));
            Assert.Contains(exact[0], hits.Select(h => h.Record.Id));
        }

        // Rows not in the index yet are scanned exactly with the same filter and merged.
        store.IndexingPaused = true;
        var fresh = Enumerable.Range(0, 3)
            .Select(i => EmbeddedTestData.Passage($"fresh-{i}", _data.Near(_query, 0.05f), $"t-{i}", "local"))
            .Append(EmbeddedTestData.Passage("fresh-other", _data.Near(_query, 0.01f), "t-0", "markdown"))
            .ToList();
        await store.UpsertPassagesAsync(fresh, None);
        Assert.Equal(4, store.GetStatistics(VectorCollection.Passages)!.FreshRows);
        var merged = await store.SearchPassagesAsync(_query, bySources, None);
        Assert.Equal(SearchRoute.Ann, store.LastSearchRoute);
        Assert.Equal(["fresh-0", "fresh-1", "fresh-2"], merged.Take(3).Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(merged, h => h.Record.Id == "fresh-other");
        Assert.Equal(TopK, merged.Count);
    }

    [Fact]
    public async Task Unknown_ids_match_nothing_and_empty_sets_do_not_filter()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        var (crowd, targets) = await FillAsync(store, crowdRows: 20, targetRows: 30);

        Assert.Empty(await store.SearchPassagesAsync(_query, new VectorSearchOptions { DocumentIds = ["nope", "other"] }, None));
        Assert.Empty(await store.SearchPassagesAsync(_query, new VectorSearchOptions { Sources = ["nope"] }, None));
        Assert.Empty(await store.SearchPassagesAsync(_query, new VectorSearchOptions { DocumentIds = ["t-1"], Sources = ["nope"] }, None));
        Assert.Empty(await store.SearchPassagesAsync(_query, new VectorSearchOptions { DocumentIds = ["crowd-1"], Sources = ["news"] }, None));
        var unfiltered = await store.SearchPassagesAsync(_query, new VectorSearchOptions { TopK = 100, DocumentIds = [], Sources = [] }, None);
        Assert.Equal(crowd.Count + targets.Count, unfiltered.Count);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            store.SearchPassagesAsync(_query, new VectorSearchOptions { DocumentIds = ["t-1", null!] }, None));
    }

    [Fact]
    public async Task A_reader_filters_rows_it_has_not_replayed_yet_through_SQLite()
    {
        await using var writer = await _directory.OpenAsync(Dimension, exactScanThreshold: 500, configure: o => o.SnapshotInterval = TimeSpan.FromHours(1));
        var (_, targets) = await FillAsync(writer, crowdRows: 1000, targetRows: 600);
        await EmbeddedVectorStoreAnnTests.WaitForIndexAsync(writer);
        await writer.SaveSnapshotsAsync(None);
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader, configure: o => o.ReaderPollInterval = TimeSpan.FromHours(1));

        var late = EmbeddedTestData.Passage("late", _data.Near(_query, 0.01f), "t-5", "news");
        await writer.UpsertPassagesAsync([late], None);
        var hits = await reader.SearchPassagesAsync(_query, new VectorSearchOptions { TopK = TopK, DocumentIds = ["t-5", "t-6"] }, None);

        Assert.Equal(SearchRoute.FilteredSql, reader.LastSearchRoute);
        Assert.Equal("late", hits[0].Record.Id);
        var expected = EmbeddedTestData.ExactTopK([.. targets.Where(r => r.DocumentId is "t-5" or "t-6"), late], _query, TopK);
        Assert.Equal(expected, hits.Select(h => h.Record.Id));
    }

    /// <summary>Crowd rows near the query (documents crowd-0…9, source wiki); target rows unrelated to it (documents t-0…,
    /// 20 rows each; sources news, local, markdown in turn, so a target document of 6 or 30 has one source).</summary>
    private async Task<(List<PassageRecord> Crowd, List<PassageRecord> Targets)> FillAsync(EmbeddedVectorStore store, int crowdRows, int targetRows)
    {
        var crowd = Enumerable.Range(0, crowdRows)
            .Select(i => EmbeddedTestData.Passage($"c{i}", _data.Near(_query), $"crowd-{i % 10}", "wiki"))
            .ToList();
        var documents = Math.Max(1, targetRows / 20);
        var targets = Enumerable.Range(0, targetRows)
            .Select(i => EmbeddedTestData.Passage($"t{i}", _data.Vector(), $"t-{i % documents}", (i % 3) switch { 0 => "news", 1 => "local", _ => "markdown" }))
            .ToList();
        foreach (var chunk in crowd.Concat(targets).Chunk(500))
        {
            await store.UpsertPassagesAsync(chunk, None);
        }
        return (crowd, targets);
    }

    private async Task AssertCrowdFillsTheUnfilteredTopK(EmbeddedVectorStore store, List<PassageRecord> crowd)
    {
        var unfiltered = await store.SearchPassagesAsync(_query, new VectorSearchOptions { TopK = TopK }, None);
        Assert.All(unfiltered, h => Assert.StartsWith("crowd-", h.Record.DocumentId));
        Assert.True(crowd.Count >= TopK);
    }

    private async Task AssertExactAsync(EmbeddedVectorStore store, List<PassageRecord> rows, SearchRoute route, VectorSearchOptions options)
    {
        var hits = await store.SearchPassagesAsync(_query, options, None);
        Assert.Equal(route, store.LastSearchRoute);
        var expected = EmbeddedTestData.ExactTopK(rows.Where(r => Matches(r, options)).ToList(), _query, TopK);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, hits.Select(h => h.Record.Id));
        Assert.All(hits, h => Assert.True(Matches(h.Record, options)));
    }

    private static bool Matches(PassageRecord record, VectorSearchOptions options) =>
        (options.DocumentIds is not { Count: > 0 } documents || documents.Contains(record.DocumentId))
        && (options.Sources is not { Count: > 0 } sources || sources.Contains(record.Source));
}
