using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>Full-text (BM25) passage search of the embedded store: the FTS5 index follows every write, folds diacritics,
/// treats query syntax as text, filters in SQL, ranks the rare term first and leaves words common enough to cost more
/// than they weigh out of the query. Every test runs twice: on SQLite FTS5 (<see cref="EmbeddedFts5TextSearchTests"/>)
/// and on the in-memory index that ranks the same way (<see cref="EmbeddedTermIndexTextSearchTests"/>); each search
/// checks that it was served by the route under test.</summary>
public abstract class EmbeddedTextSearchTests : IDisposable
{
    private const int Dimension = 32;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly VectorSearchOptions Top10 = new() { TopK = 10 };
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension, seed: 11);

    public void Dispose() => _directory.Dispose();

    /// <summary>The route every full-text search of these tests must take.</summary>
    private protected abstract TextSearchRoute Route { get; }

    private Task<EmbeddedVectorStore> OpenAsync(int dimension, VectorStoreRole role = VectorStoreRole.Writer,
        Action<EmbeddedVectorStoreOptions>? configure = null) =>
        _directory.OpenAsync(dimension, role, configure: options =>
        {
            configure?.Invoke(options);
            if (Route == TextSearchRoute.Fts5)
            {
                options.TermIndexMaxRows = 0;
            }
        });

    /// <summary>A full-text search on the route under test: for the in-memory index, once the store has the writer's
    /// changes and that index has caught up with them.</summary>
    private async Task<IReadOnlyList<VectorSearchHit<PassageRecord>>> SearchAsync(EmbeddedVectorStore store, string query,
        VectorSearchOptions options, CancellationToken cancellationToken)
    {
        if (Route == TextSearchRoute.Memory)
        {
            await store.RefreshAsync(cancellationToken);
            await store.WaitForTermIndexAsync(cancellationToken);
        }
        var hits = await store.SearchPassagesByTextAsync(query, options, cancellationToken);
        Assert.True(store.LastTextRoute is TextSearchRoute.None || store.LastTextRoute == Route, $"Served by {store.LastTextRoute}.");
        return hits;
    }

    [Fact]
    public async Task A_keyword_is_found_after_upsert_and_gone_after_delete_document_delete_and_replacement()
    {
        await using var store = await OpenAsync(Dimension);
        await store.UpsertPassagesAsync(
        [
            Passage("p1", "The ship Vasa sank in 1628.", "doc-1"),
            Passage("p2", "Kronan was another warship.", "doc-1"),
            Passage("p3", "Vasa is now a museum.", "doc-2"),
            Passage("p4", "Mary Rose sank in 1545.", "doc-3"),
        ], None);
        Assert.Equal(["p1", "p3"], Ids(await SearchAsync(store, "vasa", Top10, None)).Order());

        await store.DeleteAsync(VectorCollection.Passages, ["p3"], None);
        Assert.Equal(["p1"], Ids(await SearchAsync(store, "vasa", Top10, None)));

        await store.UpsertPassagesAsync([Passage("p1", "A ship named Wasa sank.", "doc-1")], None);
        Assert.Empty(await SearchAsync(store, "vasa 1628", Top10, None));
        var replaced = Assert.Single(await SearchAsync(store, "wasa", Top10, None));
        Assert.Equal(("p1", "A ship named Wasa sank."), (replaced.Record.Id, replaced.Record.Text));

        Assert.Equal(2, await store.DeleteDocumentAsync("doc-1", None));
        Assert.Empty(await SearchAsync(store, "wasa kronan warship", Top10, None));
        Assert.Equal(["p4"], Ids(await SearchAsync(store, "sank", Top10, None)));

        // No stale tokens: the index matches the remaining row exactly.
        EmbeddedFullTextDatabase.AssertIntegrity(_directory.Path);
        Assert.Equal(1, EmbeddedFullTextDatabase.IndexedRows(_directory.Path));
    }

    [Fact]
    public async Task Title_and_section_are_searchable_and_the_hit_is_the_whole_record_with_a_positive_score()
    {
        await using var store = await OpenAsync(Dimension);
        var row = Passage("p1", "Founded in 745.", "doc-1") with { Title = "Tōdai-ji", Section = "History › Nara period" };
        await store.UpsertPassagesAsync([row, Passage("p2", "Unrelated text.", "doc-2")], None);

        var byTitle = Assert.Single(await SearchAsync(store, "todai-ji", Top10, None));
        var bySection = Assert.Single(await SearchAsync(store, "Nara", Top10, None));

        Assert.Equal(row with { Vector = [] }, byTitle.Record);
        Assert.True(byTitle.Score > 0);
        Assert.Equal("p1", bySection.Record.Id);
    }

    [Theory]
    [InlineData("Huế is the old capital.", "Hue")]
    [InlineData("Hue is the old capital.", "Huế")]
    [InlineData("The Tōdai-ji temple.", "Todai-ji")]
    [InlineData("The Tōdai-ji temple.", "todai ji")]
    [InlineData("Crème brûlée for dessert.", "creme brulee")]
    [InlineData("ZÜRICH in capitals.", "zurich")]
    [InlineData("The ship Vasa sank.", "(Vasa's)")]
    public async Task Diacritics_case_and_punctuation_are_folded(string text, string query)
    {
        await using var store = await OpenAsync(Dimension);
        await store.UpsertPassagesAsync([Passage("p1", text, "doc-1"), Passage("p2", "Something else entirely.", "doc-2")], None);

        Assert.Equal(["p1"], Ids(await SearchAsync(store, query, Top10, None)));
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("\"\"")]
    [InlineData("\"unbalanced alpha")]
    [InlineData("*")]
    [InlineData("alp*")]
    [InlineData("NEAR(")]
    [InlineData("NEAR(alpha beta, 2)")]
    [InlineData("AND")]
    [InlineData("OR")]
    [InlineData("NOT")]
    [InlineData("alpha AND")]
    [InlineData("( alpha")]
    [InlineData("(x")]
    [InlineData(")")]
    [InlineData("-")]
    [InlineData("alpha -beta")]
    [InlineData("foo:bar")]
    [InlineData("text:alpha")]
    [InlineData("C#")]
    [InlineData("^alpha")]
    [InlineData("+")]
    [InlineData("{text title}: alpha")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData(",")]
    [InlineData("'; DROP TABLE passages; --")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("?!.")]
    [InlineData("\0")]
    [InlineData("🙂")]
    public async Task Query_syntax_in_user_text_is_never_an_error(string query)
    {
        await using var store = await OpenAsync(Dimension);
        await store.UpsertPassagesAsync([Passage("p1", "alpha comes first", "doc-1"), Passage("p2", "beta and gamma", "doc-2")], None);

        var hits = await SearchAsync(store, query, Top10, None);

        Assert.All(hits, hit => Assert.True(hit.Score >= 0));
        Assert.Equal(2, await store.CountAsync(VectorCollection.Passages, null, None));
    }

    [Theory]
    [InlineData("alpha AND beta", new[] { "p1", "p2" })] // not AND: either word
    [InlineData("alpha NOT beta", new[] { "p1", "p2" })] // not NOT
    [InlineData("alpha -beta", new[] { "p1", "p2" })] // "-beta" is the word beta
    [InlineData("alp*", new string[0])] // no prefix query
    [InlineData("NEAR(alpha beta)", new[] { "p1", "p2" })]
    [InlineData("text:gamma", new[] { "p2" })] // the words text and gamma, not a column filter
    [InlineData("{title}: alpha", new[] { "p1" })]
    [InlineData("and", new[] { "p2" })] // operators are words
    [InlineData("\"beta and\"", new[] { "p2" })]
    public async Task Query_syntax_keeps_its_plain_word_meaning(string query, string[] expected)
    {
        await using var store = await OpenAsync(Dimension);
        await store.UpsertPassagesAsync([Passage("p1", "alpha comes first", "doc-1"), Passage("p2", "beta and gamma", "doc-2")], None);

        Assert.Equal(expected, Ids(await SearchAsync(store, query, Top10, None)).Order());
    }

    [Fact]
    public async Task Document_and_source_filters_apply_before_the_top_k()
    {
        await using var store = await OpenAsync(Dimension);
        // Many strong matches in doc-1 would fill an unfiltered top-2.
        var rows = Enumerable.Range(0, 20).Select(i => Passage($"a{i}", "harbour harbour harbour", "doc-1", "wiki")).ToList();
        rows.Add(Passage("b1", "a harbour among many other words in a longer passage", "doc-2", "folder"));
        rows.Add(Passage("c1", "harbour town", "doc-3", "wiki"));
        await store.UpsertPassagesAsync(rows, None);
        var top2 = new VectorSearchOptions { TopK = 2 };

        Assert.Equal(["b1"], Ids(await SearchAsync(store, "harbour", top2 with { DocumentIds = ["doc-2", "nope"] }, None)));
        Assert.Equal(["b1"], Ids(await SearchAsync(store, "harbour", top2 with { Sources = ["folder"] }, None)));
        Assert.Equal(["c1"], Ids(await SearchAsync(store, "harbour", top2 with { DocumentIds = ["doc-2", "doc-3"], Sources = ["wiki"] }, None)));
        Assert.Empty(await SearchAsync(store, "harbour", top2 with { DocumentIds = ["doc-1"], Sources = ["folder"] }, None));
        // More ids than separate parameters: one JSON array.
        var many = Enumerable.Range(0, 300).Select(i => $"unknown-{i}").Append("doc-3").ToList();
        Assert.Equal(["c1"], Ids(await SearchAsync(store, "harbour", top2 with { DocumentIds = many }, None)));
    }

    [Fact]
    public async Task Bm25_ranks_the_rare_term_first_and_respects_top_k()
    {
        await using var store = await OpenAsync(Dimension);
        var rows = Enumerable.Range(0, 12).Select(i => Passage($"k{i}", $"a wooden temple in Kyoto, number {i}", $"doc-{i}")).ToList();
        rows.Add(Passage("nara", "a wooden temple in Nara", "doc-nara"));
        await store.UpsertPassagesAsync(rows, None);

        var hits = await SearchAsync(store, "Which temple is in Nara?", Top10, None);

        Assert.Equal("nara", hits[0].Record.Id);
        Assert.Equal(10, hits.Count);
        Assert.True(hits[0].Score > hits[1].Score);
        Assert.Equal(hits.OrderByDescending(h => h.Score).Select(h => h.Record.Id), Ids(hits));
    }

    [Fact]
    public async Task Words_in_most_passages_are_left_out_once_a_query_would_score_many_rows()
    {
        await using var store = await OpenAsync(Dimension);
        // 902 passages: "the" in all, "by" and "harbour" in a third, "lighthouse" in two. Each query below is in more
        // than FullTextQuery.ExactUpToRows rows altogether, so its common words are weighed.
        var rows = Enumerable.Range(0, 900)
            .Select(i => Passage($"q{i}", i % 3 == 0 ? $"the quay number {i} by the harbour" : $"the quay number {i}", $"doc-q{i}"))
            .Append(Passage("l1", "the lighthouse keeper", "doc-l1"))
            .Append(Passage("l2", "a lighthouse and the keeper of its lantern, the lighthouse", "doc-l2"))
            .ToList();
        await store.UpsertPassagesAsync(rows, None);
        var lighthouse = await SearchAsync(store, "lighthouse", Top10, None);
        Assert.Equal(["l1", "l2"], Ids(lighthouse).Order());

        // "the" (IDF floored: in half the rows or more) would add every row to score for almost no weight: the ranking is
        // that of "lighthouse" alone, and rows that have only "the" (formerly the tail of the top 10) are not returned.
        Assert.Equal(Hits(lighthouse), Hits(await SearchAsync(store, "What is the lighthouse?", Top10, None)));

        // A word in a third of the rows is kept: its IDF is small, not floored. Rarer words still rank first.
        var both = await SearchAsync(store, "the lighthouse by the harbour", Top10, None);
        Assert.Equal(10, both.Count);
        Assert.Equal(["l1", "l2"], Ids(both.Take(2)).Order());
        Assert.All(both.Skip(2), hit => Assert.Contains("by the harbour", hit.Record.Text, StringComparison.Ordinal));
        var harbour = await SearchAsync(store, "the harbour", Top10, None);
        Assert.Equal(10, harbour.Count);
        Assert.All(harbour, hit => Assert.Contains("harbour", hit.Record.Text, StringComparison.Ordinal));

        // A query of only very common words keeps the rarest, so that it still finds rows.
        Assert.Equal(10, (await SearchAsync(store, "the", Top10, None)).Count);
    }

    [Fact]
    public async Task Which_words_are_left_out_follows_every_write_on_the_writer_and_on_a_reader()
    {
        await using var store = await OpenAsync(Dimension);
        await using var reader = await OpenAsync(Dimension, VectorStoreRole.Reader, configure: o => o.RefreshOnSearch = true);
        await store.UpsertPassagesAsync([.. Enumerable.Range(0, 300).Select(i => Passage($"q{i}", $"the quay number {i}", $"doc-q{i}"))], None);

        foreach (var searcher in new[] { store, reader })
        {
            // "lighthouse" is in no row: the query is "the" alone.
            Assert.Equal(10, (await SearchAsync(searcher, "the lighthouse", Top10, None)).Count);
        }

        await store.UpsertPassagesAsync([Passage("l1", "the lighthouse keeper", "doc-l1")], None);
        foreach (var searcher in new[] { store, reader })
        {
            Assert.Equal(["l1"], Ids(await SearchAsync(searcher, "the lighthouse", Top10, None)));
        }

        await store.DeleteAsync(VectorCollection.Passages, ["l1"], None);
        foreach (var searcher in new[] { store, reader })
        {
            var hits = await SearchAsync(searcher, "the lighthouse", Top10, None);
            Assert.Equal(10, hits.Count);
            Assert.DoesNotContain("l1", Ids(hits));
        }
    }

    [Fact]
    public async Task A_repeated_query_word_does_not_change_the_scores()
    {
        await using var store = await OpenAsync(Dimension);
        await store.UpsertPassagesAsync([Passage("p1", "lighthouse keeper", "doc-1"), Passage("p2", "keeper of keys", "doc-2")], None);

        var once = await SearchAsync(store, "lighthouse keeper", Top10, None);
        var repeated = await SearchAsync(store, "lighthouse Lighthouse lighthouse, keeper", Top10, None);

        Assert.Equal(once.Select(h => (h.Record.Id, h.Score)), repeated.Select(h => (h.Record.Id, h.Score)));
    }

    [Fact]
    public async Task Bad_options_are_argument_errors_and_a_missing_collection_is_a_store_error()
    {
        await using var store = new EmbeddedVectorStore(_directory.Options());
        await Assert.ThrowsAsync<VectorStoreException>(() => SearchAsync(store, "x", Top10, None));
        await store.EnsureCollectionsAsync(new CollectionDimensions(Dimension, Dimension), None);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SearchAsync(store, "x", new VectorSearchOptions { TopK = 0 }, None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => SearchAsync(store, null!, Top10, None));
        await Assert.ThrowsAsync<ArgumentException>(() => SearchAsync(store, "x", new VectorSearchOptions { DocumentIds = [null!] }, None));
    }

    private PassageRecord Passage(string id, string text, string documentId, string source = "wiki") =>
        EmbeddedTestData.Passage(id, _data.Vector(), documentId, source) with { Title = "", Section = "", Text = text };

    private static List<string> Ids(IEnumerable<VectorSearchHit<PassageRecord>> hits) => hits.Select(h => h.Record.Id).ToList();

    private static List<(string Id, float Score)> Hits(IEnumerable<VectorSearchHit<PassageRecord>> hits) => hits.Select(h => (h.Record.Id, h.Score)).ToList();
}

/// <summary><see cref="EmbeddedTextSearchTests"/> on SQLite FTS5 (no in-memory index).</summary>
public sealed class EmbeddedFts5TextSearchTests : EmbeddedTextSearchTests
{
    private protected override TextSearchRoute Route => TextSearchRoute.Fts5;
}

/// <summary><see cref="EmbeddedTextSearchTests"/> on the in-memory index (<see cref="PassageTermIndex"/>).</summary>
public sealed class EmbeddedTermIndexTextSearchTests : EmbeddedTextSearchTests
{
    private protected override TextSearchRoute Route => TextSearchRoute.Memory;
}
