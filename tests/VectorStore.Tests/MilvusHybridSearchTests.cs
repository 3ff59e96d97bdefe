using System.Text.Json.Nodes;
using AspireMmRag.VectorStore.Milvus;
using Microsoft.AspNetCore.Http;
using static AspireMmRag.VectorStore.Tests.MilvusFullTextCorpus;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>SearchPassagesHybridAsync: one hybrid_search with Milvus's rrf for equal weights, two searches fused on the
/// client otherwise, filters on both lists, and the dense list alone for a query without words.</summary>
public sealed class MilvusHybridSearchTests
{
    private static readonly float[] Query = [0.9f, 0.2f, 0.1f, 0];

    [Fact]
    public async Task Equal_weights_send_one_hybrid_search_with_both_sub_searches_filters_and_rrf_k()
    {
        await using var context = await StartAsync();
        var options = new VectorSearchOptions { TopK = 3, DocumentIds = ["doc-hue", "doc-nara"], Sources = ["wikipedia", "pdf"] };

        var result = await context.Store.SearchPassagesHybridAsync(North, "citadel temple", options, new HybridSearchOptions { RrfK = 20 }, CancellationToken.None);

        Assert.Empty(context.Server.RequestsTo("entities/search"));
        var body = context.Server.RequestsTo("entities/hybrid_search").Single().Body;
        const string filter = "document_id in [\\\"doc-hue\\\",\\\"doc-nara\\\"] && source in [\\\"wikipedia\\\",\\\"pdf\\\"]";
        var expected = JsonNode.Parse($$"""
        {
          "dbName": "default",
          "collectionName": "passages_v2",
          "search": [
            { "data": [[1, 0, 0, 0]], "annsField": "vector", "limit": 40, "filter": "{{filter}}", "metricType": "COSINE", "params": { "params": { "ef": 64 } } },
            { "data": ["citadel temple"], "annsField": "text_sparse", "limit": 40, "filter": "{{filter}}" }
          ],
          "rerank": { "strategy": "rrf", "params": { "k": 20 } },
          "limit": 3,
          "outputFields": ["text", "document_id", "source", "title", "url", "section", "revision", "chunk_index"],
          "consistencyLevel": "Strong"
        }
        """);
        Assert.True(JsonNode.DeepEquals(expected, body), body.ToJsonString());
        Assert.Equal(["hue", "nara"], result.Hits.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.Null(result.DenseTime);
        Assert.Null(result.TextTime);
        Assert.All(result.Hits, h => Assert.Equal((null, null, null, null), (h.DenseScore, h.DenseRank, h.TextScore, h.TextRank)));
    }

    [Fact]
    public async Task Server_side_rrf_gives_the_fusion_of_the_two_lists()
    {
        await using var context = await StartAsync();
        var options = new VectorSearchOptions { TopK = 3 };
        var hybrid = new HybridSearchOptions { CandidatesPerLeg = 3, DenseWeight = 2, TextWeight = 2 };

        var result = await context.Store.SearchPassagesHybridAsync(Query, "temples river", options, hybrid, CancellationToken.None);

        var dense = await context.Store.SearchPassagesAsync(Query, options, CancellationToken.None);
        var text = await context.Store.SearchPassagesByTextAsync("temples river", options, CancellationToken.None);
        var fused = ReciprocalRankFusion.Fuse(dense, text, hybrid, topK: 3);
        Assert.Equal(fused.Select(h => h.Record.Id), result.Hits.Select(h => h.Record.Id));
        Assert.Equal(fused.Select(h => h.Score), result.Hits.Select(h => h.Score), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal("The imperial citadel of Huế lies on the Perfume River.", result.Hits.Single(h => h.Record.Id == "hue").Record.Text);
    }

    [Fact]
    public async Task Unequal_weights_run_both_searches_with_filters_and_fuse_them_on_the_client()
    {
        await using var context = await StartAsync();
        var options = new VectorSearchOptions { TopK = 2, Sources = ["wikipedia"] };
        var hybrid = new HybridSearchOptions { DenseWeight = 1, TextWeight = 3, CandidatesPerLeg = 5 };

        var result = await context.Store.SearchPassagesHybridAsync(Query, "temples", options, hybrid, CancellationToken.None);

        Assert.Empty(context.Server.RequestsTo("entities/hybrid_search"));
        var searches = context.Server.RequestsTo("entities/search").Select(r => r.Body).OrderBy(b => (string?)b["annsField"]).ToList();
        Assert.Equal(["text_sparse", "vector"], searches.Select(b => (string?)b["annsField"]));
        Assert.All(searches, b => Assert.Equal("source in [\"wikipedia\"]", (string?)b["filter"]));
        Assert.All(searches, b => Assert.Equal(5, (int?)b["limit"]));
        Assert.Equal(["temples"], searches[0]["data"]!.AsArray().Select(d => (string)d!));

        // Dense (wikipedia only): hue, hanoi, kyoto; text: kyoto. Kyoto: 1/63 + 3/61 beats hue's 1/61.
        Assert.Equal(["kyoto", "hue"], result.Hits.Select(h => h.Record.Id));
        var kyoto = result.Hits[0];
        Assert.Equal((3, 1), (kyoto.DenseRank, kyoto.TextRank));
        Assert.Equal(1f / 63 + 3f / 61, kyoto.Score, 6);
        Assert.True(kyoto.TextScore > 0);
        Assert.Equal(MilvusTestContext.Cosine(Query, Up), kyoto.DenseScore!.Value, 5);
        Assert.NotNull(result.DenseTime);
        Assert.NotNull(result.TextTime);
    }

    [Fact]
    public async Task MinScore_bounds_the_dense_list_so_the_lists_are_fused_on_the_client()
    {
        await using var context = await StartAsync();

        var result = await context.Store.SearchPassagesHybridAsync(North, "temples", new VectorSearchOptions { TopK = 4, MinScore = 0.5f },
            HybridSearchOptions.Default, CancellationToken.None);

        Assert.Empty(context.Server.RequestsTo("entities/hybrid_search"));
        // Dense ≥ 0.5: hue, hanoi; text: kyoto, nara. Kyoto's 1/61 ties hue's and beats hanoi's 1/62.
        Assert.Equal(["hue", "kyoto", "hanoi", "nara"], result.Hits.Select(h => h.Record.Id));
        Assert.All(result.Hits.Where(h => h.DenseRank is not null), h => Assert.True(h.DenseScore >= 0.5f));
        Assert.Null(result.Hits.Single(h => h.Record.Id == "kyoto").DenseRank);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?!… -- ()")]
    public async Task A_query_without_words_returns_the_dense_list_alone(string query)
    {
        await using var context = await StartAsync();

        var result = await context.Store.SearchPassagesHybridAsync(North, query, new VectorSearchOptions { TopK = 2 }, HybridSearchOptions.Default, CancellationToken.None);

        var search = context.Server.Requests.Single();
        Assert.Equal(("entities/search", "vector"), (search.Action, (string?)search.Body["annsField"]));
        Assert.Equal(["hue", "hanoi"], result.Hits.Select(h => h.Record.Id));
        Assert.All(result.Hits, h => Assert.Null(h.TextRank));
        Assert.Equal([1, 2], result.Hits.Select(h => h.DenseRank));
        Assert.NotNull(result.DenseTime);
        Assert.Equal(TimeSpan.Zero, result.TextTime);
    }

    [Fact]
    public async Task Invalid_hybrid_input_throws_before_any_request()
    {
        await using var context = await StartAsync();
        var options = new VectorSearchOptions();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Search(context, [1, 0, 0], options, HybridSearchOptions.Default));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Search(context, North, options, new HybridSearchOptions { RrfK = 0 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Search(context, North, options, new HybridSearchOptions { RrfK = 16384 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Search(context, North, options, new HybridSearchOptions { TextWeight = float.NaN }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Search(context, North, options, new HybridSearchOptions { DenseWeight = -1 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Search(context, North, options, new HybridSearchOptions { CandidatesPerLeg = 20000 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Search(context, North, options with { TopK = 0 }, HybridSearchOptions.Default));
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task A_Milvus_error_code_on_hybrid_search_is_a_MilvusRequestException()
    {
        await using var context = await StartAsync();
        context.Server.Intercept = async (request, http) =>
        {
            if (request.Action != "entities/hybrid_search")
            {
                return false;
            }
            await http.Response.WriteAsync(MilvusFakeServer.Error(65535, "rerank failed").ToJsonString());
            return true;
        };

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() => Search(context, North, new VectorSearchOptions(), HybridSearchOptions.Default));

        Assert.Equal(("entities/hybrid_search", 65535), (error.Action, error.Code));
    }

    private static Task<HybridSearchResult> Search(MilvusTestContext context, float[] vector, VectorSearchOptions options, HybridSearchOptions hybrid) =>
        context.Store.SearchPassagesHybridAsync(vector, "river", options, hybrid, CancellationToken.None);
}
