using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// The in-memory full-text index (<see cref="PassageTermIndex"/>) against SQLite FTS5 on the same database: a store
/// searching in memory and a reader with the index off (<see cref="EmbeddedVectorStoreOptions.TermIndexMaxRows"/> 0,
/// so FTS5's <c>bm25()</c> answers) must return the same keys in the same order with the same scores, for full-text and
/// hybrid searches, with filters, and after deletes, replacements, compaction, replays and pruned tombstones.
/// </summary>
public sealed class EmbeddedTermIndexTests : IDisposable
{
    private const int Dimension = 8;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension, seed: 21);
    private readonly Random _random = new(22);
    private readonly string[] _vocabulary;

    public EmbeddedTermIndexTests()
    {
        // Zipf-like: a few words in most passages, a long tail of rare ones, some with diacritics and digits.
        _vocabulary = Enumerable.Range(0, 2_000).Select(i => i switch
        {
            < 8 => new[] { "the", "of", "and", "in", "a", "to", "was", "is" }[i],
            _ when i % 37 == 0 => $"Hué{i}",
            _ when i % 41 == 0 => $"{1800 + i % 200}",
            _ => Word(i),
        }).ToArray();
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Ranks_exactly_as_fts5_with_filters_and_after_deletes_replacements_and_compaction()
    {
        await using var memory = await _directory.OpenAsync(Dimension);
        await using var fts5 = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader, configure: Fts5Reader);
        var rows = Enumerable.Range(0, 3_000).Select(i => Passage($"p{i}", $"doc-{i / 10}", i % 3 == 0 ? "folder" : "wiki")).ToList();
        foreach (var batch in rows.Chunk(500))
        {
            await memory.UpsertPassagesAsync(batch, None);
        }
        await AssertSameRankingAsync(memory, fts5, queries: 250);

        // 900 replaced (a new text under the same id), 400 deleted one by one, two documents deleted, 200 added: more
        // than a quarter of the index's rows are removed ones, so it compacts.
        await memory.UpsertPassagesAsync([.. rows.Take(900).Select(row => Passage(row.Id, row.DocumentId, row.Source))], None);
        await memory.DeleteAsync(VectorCollection.Passages, [.. rows.Skip(1_000).Take(400).Select(row => row.Id)], None);
        await memory.DeleteDocumentAsync("doc-250", None);
        await memory.DeleteDocumentAsync("doc-251", None);
        await memory.UpsertPassagesAsync([.. Enumerable.Range(0, 200).Select(i => Passage($"n{i}", $"doc-n{i / 5}", "wiki"))], None);

        await AssertSameRankingAsync(memory, fts5, queries: 250);
    }

    [Fact]
    public async Task Hybrid_search_fuses_the_same_lists_on_both_routes()
    {
        await using var memory = await _directory.OpenAsync(Dimension);
        await using var fts5 = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader, configure: Fts5Reader);
        await memory.UpsertPassagesAsync([.. Enumerable.Range(0, 800).Select(i => Passage($"p{i}", $"doc-{i / 8}", "wiki"))], None);
        await memory.WaitForTermIndexAsync(None);
        await fts5.RefreshAsync(None);

        for (var q = 0; q < 100; q++)
        {
            var query = Query();
            var vector = _data.Vector();
            var options = new VectorSearchOptions { TopK = 1 + q % 10, DocumentIds = q % 4 == 0 ? ["doc-1", "doc-2", "doc-50"] : null };
            var inMemory = await memory.SearchPassagesHybridAsync(vector, query, options, HybridSearchOptions.Default, None);
            var memoryRoute = memory.LastTextRoute;
            var onFts5 = await fts5.SearchPassagesHybridAsync(vector, query, options, HybridSearchOptions.Default, None);

            Assert.Equal(fts5.LastTextRoute == TextSearchRoute.None ? (TextSearchRoute.None, TextSearchRoute.None) : (TextSearchRoute.Fts5, TextSearchRoute.Memory),
                (fts5.LastTextRoute, memoryRoute));
            Assert.Equal(Fused(onFts5.Hits), Fused(inMemory.Hits));
        }
    }

    [Fact]
    public async Task A_reader_replays_the_writers_changes_into_its_index()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        await using var reader = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader);
        await using var fts5 = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader, configure: Fts5Reader);
        await writer.UpsertPassagesAsync([.. Enumerable.Range(0, 400).Select(i => Passage($"p{i}", $"doc-{i / 4}", "wiki"))], None);
        await AssertSameRankingAsync(reader, fts5, queries: 50);

        await writer.UpsertPassagesAsync([Passage("zz", "doc-zz", "wiki") with { Text = "the Vasa sank in 1628 off Beckholmen" }], None);
        await writer.DeleteDocumentAsync("doc-3", None);
        await reader.RefreshAsync(None);
        await reader.WaitForTermIndexAsync(None);

        Assert.Equal("zz", (await reader.SearchPassagesByTextAsync("Beckholmen", new VectorSearchOptions { TopK = 3 }, None)).Single().Record.Id);
        Assert.Equal(TextSearchRoute.Memory, reader.LastTextRoute);
        await AssertSameRankingAsync(reader, fts5, queries: 50);
    }

    [Fact]
    public async Task An_index_behind_pruned_tombstones_is_rebuilt()
    {
        await using var writer = await _directory.OpenAsync(Dimension, exactScanThreshold: 16);
        var log = new LogRecorder<EmbeddedVectorStore>();
        var options = _directory.Options(VectorStoreRole.Reader);
        options.ReaderPollInterval = TimeSpan.FromHours(1);
        await using var reader = new EmbeddedVectorStore(options, log);
        await using var fts5 = await _directory.OpenAsync(Dimension, VectorStoreRole.Reader, configure: Fts5Reader);
        await writer.UpsertPassagesAsync([.. Enumerable.Range(0, 300).Select(i => Passage($"p{i}", $"doc-{i / 3}", "wiki"))], None);
        await reader.RefreshAsync(None);
        await reader.WaitForTermIndexAsync(None);

        // The reader replays nothing meanwhile; two snapshots later the tombstones of these deletes are pruned.
        await writer.DeleteAsync(VectorCollection.Passages, [.. Enumerable.Range(0, 120).Select(i => $"p{i}")], None);
        for (var round = 0; round < 2; round++)
        {
            await writer.UpsertPassagesAsync([Passage($"extra{round}", "doc-extra", "wiki")], None);
            await writer.WaitForIndexingAsync(None);
            await writer.SaveSnapshotsAsync(None);
        }

        await AssertSameRankingAsync(reader, fts5, queries: 80);
        Assert.Equal(2, log.Entries.Count(e => e.Message.StartsWith("Built the in-memory full-text index", StringComparison.Ordinal)));
        Assert.Contains(log.Entries, e => e.Message.Contains("fell behind pruned tombstones", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_row_deleted_after_the_readers_state_gives_its_place_to_the_next()
    {
        await using var writer = await _directory.OpenAsync(Dimension);
        var options = _directory.Options(VectorStoreRole.Reader);
        options.ReaderPollInterval = TimeSpan.FromHours(1);
        await using var reader = new EmbeddedVectorStore(options);
        await writer.UpsertPassagesAsync([.. Enumerable.Range(0, 6).Select(i => Passage($"p{i}", $"doc-{i}", "wiki") with
        {
            Text = string.Join(' ', Enumerable.Repeat("lantern", 6 - i)) + " keeper",
        })], None);
        await reader.RefreshAsync(None);
        await reader.WaitForTermIndexAsync(None);
        var top2 = new VectorSearchOptions { TopK = 2 };
        Assert.Equal(["p0", "p1"], (await reader.SearchPassagesByTextAsync("lantern", top2, None)).Select(h => h.Record.Id));

        await writer.DeleteAsync(VectorCollection.Passages, ["p0", "p1"], None);

        // The reader has not replayed the delete: its index still ranks p0 and p1 first, the rows are gone.
        Assert.Equal(["p2", "p3"], (await reader.SearchPassagesByTextAsync("lantern", top2, None)).Select(h => h.Record.Id));
        Assert.Equal(TextSearchRoute.Memory, reader.LastTextRoute);
        Assert.Equal(6, reader.GetStatistics(VectorCollection.Passages)!.Rows);
    }

    [Fact]
    public async Task Above_the_row_limit_fts5_answers()
    {
        await using var store = await _directory.OpenAsync(Dimension, configure: o => o.TermIndexMaxRows = 40);
        await store.UpsertPassagesAsync([.. Enumerable.Range(0, 50).Select(i => Passage($"p{i}", $"doc-{i}", "wiki"))], None);
        var query = string.Join(' ', _vocabulary.Skip(8).Take(200));

        for (var i = 0; i < 10; i++)
        {
            Assert.NotEmpty(await store.SearchPassagesByTextAsync(query, new VectorSearchOptions { TopK = 5 }, None));
            Assert.Equal(TextSearchRoute.Fts5, store.LastTextRoute);
            await Task.Delay(50);
        }
    }

    [Fact]
    public void The_index_compacts_removed_rows_and_then_scores_as_one_built_from_the_live_rows_alone()
    {
        using var tokenizer = new FullTextTokenizer();
        var rows = Enumerable.Range(0, 2_000).Select(i => Text(i, $"doc-{i % 50}")).ToList();
        var index = new PassageTermIndex(tokenizer, seq: 1);
        index.Apply([], rows, seq: 1);
        var before = index.PostingCount;

        index.Apply([.. rows.Take(1_500).Select(r => r.Key), 99_999], [], seq: 2);
        var fresh = new PassageTermIndex(tokenizer, seq: 2);
        fresh.Apply([], rows.Skip(1_500).ToList(), seq: 2);

        Assert.Equal(500, index.Rows);
        Assert.Equal(2, index.Seq);
        Assert.Equal(fresh.PostingCount, index.PostingCount);
        Assert.True(index.PostingCount < before / 3, $"{index.PostingCount} postings of {before}.");
        for (var q = 0; q < 100; q++)
        {
            var terms = tokenizer.DistinctTerms(Query(), FullTextQuery.MaxTokens);
            IReadOnlyList<string>? documents = q % 3 == 0 ? ["doc-1", "doc-7"] : null;
            Assert.Equal(fresh.Search(terms, documents, null, 20), index.Search(terms, documents, null, 20));
        }
    }

    [Fact]
    public void After_a_compaction_that_restores_the_same_counts_the_index_scores_its_rows_not_the_old_ones()
    {
        // Re-ingesting unchanged passages: each replaced row is removed and added again under a new key, so the row
        // count, the token total and (after compacting) the ordinal count are what they were before.
        using var tokenizer = new FullTextTokenizer();
        var rows = Enumerable.Range(0, 2_000).Select(i => Text(i, $"doc-{i % 50}")).ToList();
        var index = new PassageTermIndex(tokenizer, seq: 1);
        index.Apply([], rows, seq: 1);
        var queries = Enumerable.Range(0, 60).Select(_ => tokenizer.DistinctTerms(Query(), FullTextQuery.MaxTokens)).ToList();
        foreach (var terms in queries)
        {
            index.Search(terms, null, null, 10); // the norms of the first ordinals are cached
        }
        var replaced = rows.Take(1_100).Reverse().Select(r => r with { Key = r.Key + 100_000 }).ToList();

        index.Apply([.. rows.Take(1_100).Select(r => r.Key)], replaced, seq: 2);

        var fresh = new PassageTermIndex(tokenizer, seq: 2);
        fresh.Apply([], [.. rows.Skip(1_100), .. replaced], seq: 2);
        Assert.Equal(fresh.PostingCount, index.PostingCount);
        foreach (var terms in queries)
        {
            Assert.Equal(fresh.Search(terms, null, null, 10), index.Search(terms, null, null, 10));
        }
    }

    [Fact]
    public void A_negative_row_limit_is_a_configuration_error()
    {
        var options = _directory.Options();
        Assert.DoesNotContain(EmbeddedVectorStoreOptionsValidator.Errors(options), error => error.Contains("TermIndexMaxRows", StringComparison.Ordinal));
        options.TermIndexMaxRows = -1;
        Assert.Contains(EmbeddedVectorStoreOptionsValidator.Errors(options), error => error.Contains("TermIndexMaxRows", StringComparison.Ordinal));
    }

    /// <summary>Random queries and options, the same on both stores: the in-memory one must answer from its index.</summary>
    private async Task AssertSameRankingAsync(EmbeddedVectorStore memory, EmbeddedVectorStore fts5, int queries)
    {
        await memory.RefreshAsync(None);
        await memory.WaitForTermIndexAsync(None);
        await fts5.RefreshAsync(None);
        var compared = 0;
        for (var q = 0; q < queries; q++)
        {
            var query = Query();
            var options = new VectorSearchOptions
            {
                TopK = new[] { 1, 4, 10, 40, 200 }[q % 5],
                DocumentIds = q % 7 == 0 ? [.. Enumerable.Range(0, 12).Select(_ => $"doc-{_random.Next(300)}")] : null,
                Sources = q % 5 == 1 ? ["folder"] : null,
            };
            var expected = await fts5.SearchPassagesByTextAsync(query, options, None);
            var fts5Route = fts5.LastTextRoute;
            var actual = await memory.SearchPassagesByTextAsync(query, options, None);
            // None: a query without a word (both search nothing).
            Assert.Equal(fts5Route == TextSearchRoute.None ? (TextSearchRoute.None, TextSearchRoute.None) : (TextSearchRoute.Fts5, TextSearchRoute.Memory),
                (fts5Route, memory.LastTextRoute));
            Assert.Equal(Ranked(expected), Ranked(actual));
            compared += expected.Count;
        }
        Assert.True(compared > queries * 2, $"Only {compared} hits compared.");
    }

    private static List<(string Id, float Score)> Ranked(IEnumerable<VectorSearchHit<PassageRecord>> hits) =>
        hits.Select(h => (h.Record.Id, h.Score)).ToList();

    private static List<(string Id, float Score, int? DenseRank, int? TextRank, float? TextScore)> Fused(IEnumerable<HybridPassageHit> hits) =>
        hits.Select(h => (h.Record.Id, h.Score, h.DenseRank, h.TextRank, h.TextScore)).ToList();

    private static void Fts5Reader(EmbeddedVectorStoreOptions options) => options.TermIndexMaxRows = 0;

    private PassageRecord Passage(string id, string documentId, string source) =>
        EmbeddedTestData.Passage(id, _data.Vector(), documentId, source) with
        {
            Title = $"{Pick()} {Pick()}",
            Section = _random.Next(3) == 0 ? "" : $"History › {Pick()}",
            Text = Sentence(_random.Next(0, 90)),
        };

    private PassageText Text(int i, string documentId) =>
        new(1_000 + i, documentId, "wiki", Pick(), _random.Next(2) == 0 ? "" : Pick(), Sentence(_random.Next(1, 60)));

    private string Query() => _random.Next(10) switch
    {
        0 => "?! \"* (-",
        1 => $"{Pick()} NEAR({Pick()}) \"{Pick()}",
        2 => $"unknownword{_random.Next(100)} {Pick()}",
        _ => Sentence(_random.Next(1, 9)) + "?",
    };

    private string Sentence(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Pick()));

    /// <summary>A word, rank r drawn with probability about 1/r.</summary>
    private string Pick() => _vocabulary[(int)Math.Min(_vocabulary.Length - 1, Math.Exp(_random.NextDouble() * Math.Log(_vocabulary.Length + 1)) - 1)];

    private static string Word(int i)
    {
        const string letters = "bcdfghklmnprstvz";
        const string vowels = "aeiou";
        var word = "";
        for (var n = i; word.Length == 0 || n > 0; n /= 80)
        {
            word += $"{letters[n % 16]}{vowels[n / 16 % 5]}";
        }
        return word;
    }
}
