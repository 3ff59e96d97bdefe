using System.Numerics.Tensors;
using AspireMmRag.VectorStore.Embedded;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>Hybrid passage search of the embedded store: both lists searched, fused by reciprocal rank, each timed.</summary>
public sealed class EmbeddedHybridSearchTests : IDisposable
{
    private const int Dimension = 32;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EmbeddedTestDirectory _directory = new();
    private readonly EmbeddedTestData _data = new(Dimension, seed: 5);
    private readonly float[] _query;

    public EmbeddedHybridSearchTests() => _query = _data.Vector();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Fuses_the_dense_and_text_lists_and_keeps_rows_found_by_only_one()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        await FillAsync(store);
        var options = new VectorSearchOptions { TopK = 3 };
        var hybrid = new HybridSearchOptions { CandidatesPerLeg = 3 };

        var result = await store.SearchPassagesHybridAsync(_query, "Where is Zanzibar?", options, hybrid, None);

        // both: dense 1st and text 2nd; textOnly: text 1st; denseOnly: dense 2nd.
        Assert.Equal(["both", "textOnly", "denseOnly"], result.Hits.Select(h => h.Record.Id));
        var (both, textOnly, denseOnly) = (result.Hits[0], result.Hits[1], result.Hits[2]);
        Assert.Equal((1, 2), (both.DenseRank, both.TextRank));
        Assert.Equal((null, 1), (textOnly.DenseRank, textOnly.TextRank));
        Assert.Equal((2, null), (denseOnly.DenseRank, denseOnly.TextRank));
        Assert.Equal(1f / 61 + 1f / 62, both.Score, 1e-6f);
        Assert.True(both.TextScore > 0 && both.DenseScore > 0.8f);
        Assert.NotNull(result.DenseTime);
        Assert.NotNull(result.TextTime);
        Assert.True(result.DenseTime >= TimeSpan.Zero && result.TextTime >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Matches_fusing_the_two_searches_by_hand_with_weights_and_filters()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        await FillAsync(store);
        var options = new VectorSearchOptions { TopK = 5, Sources = ["wiki"], DocumentIds = ["doc-both", "doc-text", "doc-dense", "doc-3", "doc-4", "doc-5"] };
        var hybrid = new HybridSearchOptions { CandidatesPerLeg = 8, TextWeight = 2f, RrfK = 10 };

        var result = await store.SearchPassagesHybridAsync(_query, "zanzibar harbour", options, hybrid, None);

        var leg = options with { TopK = 8 };
        var expected = ReciprocalRankFusion.Fuse(
            await store.SearchPassagesAsync(_query, leg, None), await store.SearchPassagesByTextAsync("zanzibar harbour", leg, None), hybrid, 5);
        Assert.Equal(expected, result.Hits);
        Assert.Contains(result.Hits, h => h.TextRank is not null);
        Assert.All(result.Hits, h => Assert.Contains(h.Record.DocumentId, options.DocumentIds));
    }

    [Fact]
    public async Task A_query_without_words_still_returns_the_dense_list()
    {
        await using var store = await _directory.OpenAsync(Dimension);
        await FillAsync(store);

        var result = await store.SearchPassagesHybridAsync(_query, "?! \"* -", new VectorSearchOptions { TopK = 2 }, HybridSearchOptions.Default, None);

        Assert.Equal(["both", "denseOnly"], result.Hits.Select(h => h.Record.Id));
        Assert.All(result.Hits, h => Assert.Null(h.TextRank));
    }

    [Fact]
    public async Task Candidates_per_list_are_capped_at_MaxTopK_and_bad_arguments_are_rejected()
    {
        await using var store = await _directory.OpenAsync(Dimension, configure: o => o.MaxTopK = 4);
        await FillAsync(store);

        // Default candidates: max(4 × 2, 40) = 40 > MaxTopK, so 4 per list.
        var result = await store.SearchPassagesHybridAsync(_query, "zanzibar", new VectorSearchOptions { TopK = 2 }, HybridSearchOptions.Default, None);
        Assert.Equal(2, result.Hits.Count);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            store.SearchPassagesHybridAsync(_query, "x", new VectorSearchOptions { TopK = 5 }, HybridSearchOptions.Default, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            store.SearchPassagesHybridAsync(_query, "x", new VectorSearchOptions(), new HybridSearchOptions { RrfK = 0 }, None));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            store.SearchPassagesHybridAsync(new float[Dimension + 1], "x", new VectorSearchOptions { TopK = 2 }, HybridSearchOptions.Default, None));
    }

    /// <summary>"both" is nearest the query and mentions Zanzibar in a long text; "textOnly" is all Zanzibar but points
    /// away from the query; "denseOnly" is near the query without the word; fillers are neither.</summary>
    private async Task FillAsync(EmbeddedVectorStore store)
    {
        var away = _query.Select(x => -x).ToArray();
        List<PassageRecord> rows =
        [
            Row("both", _data.Near(_query, 0.05f), "doc-both", "The island of Zanzibar lies off the coast, with a long history of trade, spice farms and old stone towns."),
            Row("textOnly", away, "doc-text", "Zanzibar, Zanzibar harbour."),
            Row("denseOnly", _data.Near(_query, 0.4f), "doc-dense", "An island off the coast with spice farms."),
        ];
        for (var i = 0; i < 20; i++)
        {
            var vector = _data.Vector();
            if (TensorPrimitives.Dot(vector, _query) > 0.5f)
            {
                continue;
            }
            rows.Add(Row($"filler-{i}", vector, $"doc-{i}", $"Filler passage {i} about mountains and rivers."));
        }
        await store.UpsertPassagesAsync(rows, None);
    }

    private static PassageRecord Row(string id, float[] vector, string documentId, string text) =>
        EmbeddedTestData.Passage(id, vector, documentId) with { Title = "", Section = "", Text = text };
}
