using System.Text.Json.Nodes;
using AspireMmRag.VectorStore.Milvus;
using Microsoft.AspNetCore.Http;
using static AspireMmRag.VectorStore.Tests.MilvusFullTextCorpus;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>SearchPassagesByTextAsync: the entities/search body on the BM25 field, hit mapping, filters and odd queries.</summary>
public sealed class MilvusFullTextSearchTests
{
    [Fact]
    public async Task Text_search_sends_the_text_on_the_sparse_field_with_filters_and_no_sparse_output()
    {
        await using var context = await StartAsync();

        await context.Store.SearchPassagesByTextAsync("temple river",
            new VectorSearchOptions { TopK = 5, DocumentIds = ["doc-nara", "doc-kyoto"], Sources = ["pdf"] }, CancellationToken.None);

        var body = context.Server.RequestsTo("entities/search").Single().Body;
        var expected = JsonNode.Parse("""
        {
          "dbName": "default",
          "collectionName": "passages_v2",
          "data": ["temple river"],
          "annsField": "text_sparse",
          "limit": 5,
          "filter": "document_id in [\"doc-nara\",\"doc-kyoto\"] && source in [\"pdf\"]",
          "outputFields": ["text", "document_id", "source", "title", "url", "section", "revision", "chunk_index"],
          "consistencyLevel": "Strong"
        }
        """);
        Assert.True(JsonNode.DeepEquals(expected, body), body.ToJsonString());
    }

    [Fact]
    public async Task Text_search_maps_hits_with_positive_BM25_scores_best_first()
    {
        await using var context = await StartAsync();

        var hits = await context.Store.SearchPassagesByTextAsync("temples river Nara", new VectorSearchOptions { TopK = 10 }, CancellationToken.None);

        // nara: "Nara" (twice: title › section heading and text) + "temples" (section); kyoto: "temples", "river"; hue, hanoi: "river".
        Assert.Equal("nara", hits[0].Record.Id);
        Assert.Equal(["hanoi", "hue", "kyoto", "nara"], hits.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.All(hits, h => Assert.True(h.Score > 0, $"{h.Record.Id}: {h.Score}"));
        Assert.Equal(hits.Select(h => h.Score).OrderDescending(), hits.Select(h => h.Score));
        var nara = hits[0].Record;
        Assert.Equal("Tōdai-ji is a Buddhist temple in Nara, finished in 752.", nara.Text);
        Assert.Equal(("doc-nara", "pdf", "Nara", "Temples", "https://example.org/doc-nara", "rev-1"),
            (nara.DocumentId, nara.Source, nara.Title, nara.Section, nara.Url, nara.Revision));
        Assert.Empty(nara.Vector);
    }

    [Fact]
    public async Task Text_search_applies_the_document_and_source_filters_before_ranking()
    {
        await using var context = await StartAsync();

        var byDocument = await context.Store.SearchPassagesByTextAsync("river", new VectorSearchOptions { TopK = 1, DocumentIds = ["doc-kyoto"] }, CancellationToken.None);
        var bySource = await context.Store.SearchPassagesByTextAsync("temple", new VectorSearchOptions { Sources = ["wikipedia"] }, CancellationToken.None);

        Assert.Equal(["kyoto"], byDocument.Select(h => h.Record.Id));
        Assert.Empty(bySource); // "temple" is only in the pdf passage ("temples" is another token without a stemmer)
    }

    [Fact]
    public async Task Accents_fold_and_title_words_count()
    {
        await using var context = await StartAsync();

        var hue = await context.Store.SearchPassagesByTextAsync("HUE", new VectorSearchOptions(), CancellationToken.None);
        var todaiji = await context.Store.SearchPassagesByTextAsync("todai-ji", new VectorSearchOptions(), CancellationToken.None);
        var temples = await context.Store.SearchPassagesByTextAsync("Temples", new VectorSearchOptions(), CancellationToken.None);

        Assert.Equal(["hue"], hue.Select(h => h.Record.Id));
        Assert.Equal(["nara"], todaiji.Select(h => h.Record.Id));
        Assert.Equal(["kyoto", "nara"], temples.Select(h => h.Record.Id).Order(StringComparer.Ordinal)); // nara by its section
    }

    [Fact]
    public async Task Query_syntax_is_sent_as_its_plain_words_in_JSON_and_matches_as_words()
    {
        await using var context = await StartAsync();
        const string query = "\"Huế\" AND (citadel* OR -NEAR) \\ \"";

        var hits = await context.Store.SearchPassagesByTextAsync(query, new VectorSearchOptions(), CancellationToken.None);

        var sent = context.Server.RequestsTo("entities/search").Single().Body["data"]!.AsArray();
        Assert.Equal(["Huế AND citadel OR NEAR"], sent.Select(n => (string)n!));
        // "AND" is a plain word too: Kyoto's text has "and".
        Assert.Equal(["hue", "kyoto"], hits.Select(h => h.Record.Id));
    }

    [Fact]
    public async Task Repeated_words_are_sent_once()
    {
        await using var context = await StartAsync();

        await context.Store.SearchPassagesByTextAsync("river River RIVER, temple", new VectorSearchOptions(), CancellationToken.None);

        Assert.Equal("river temple", (string?)context.Server.RequestsTo("entities/search").Single().Body["data"]![0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n")]
    [InlineData("?! … — *** \"\" ()")]
    public async Task A_query_without_letters_or_digits_finds_nothing_without_a_request(string query)
    {
        await using var context = await StartAsync();

        var hits = await context.Store.SearchPassagesByTextAsync(query, new VectorSearchOptions(), CancellationToken.None);

        Assert.Empty(hits);
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task Invalid_input_throws_before_any_request()
    {
        await using var context = await StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => context.Store.SearchPassagesByTextAsync(null!, new VectorSearchOptions(), CancellationToken.None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => context.Store.SearchPassagesByTextAsync("bad \ud800 surrogate", new VectorSearchOptions(), CancellationToken.None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => context.Store.SearchPassagesByTextAsync("river", new VectorSearchOptions { TopK = 0 }, CancellationToken.None));
        Assert.Empty(context.Server.Requests);
    }

    [Fact]
    public async Task Upsert_writes_the_search_text_once_with_its_heading_and_never_the_sparse_field()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await context.Store.UpsertPassagesAsync(
        [
            MilvusTestContext.Passage("plain", North, text: "Body words."),
            MilvusTestContext.Passage("headed", East, text: "Title of doc-1 › Intro\nBody words."),
            MilvusTestContext.Passage("lead", Up, text: "Lead words.") with { Section = "" },
        ], CancellationToken.None);

        var rows = context.Server.RequestsTo("entities/upsert").Single().Body["data"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(
            ["Title of doc-1 › Intro\nBody words.", "Title of doc-1 › Intro\nBody words.", "Title of doc-1\nLead words."],
            rows.Select(r => (string?)r["search_text"]));
        Assert.All(rows, r => Assert.False(r.ContainsKey("text_sparse")));
    }

    [Fact]
    public async Task A_Milvus_error_code_on_text_search_is_a_MilvusRequestException()
    {
        await using var context = await StartAsync();
        context.Server.Intercept = async (request, http) =>
        {
            if (request.Action != "entities/search")
            {
                return false;
            }
            await http.Response.WriteAsync(MilvusFakeServer.Error(1100, "invalid parameter: analyzer failed").ToJsonString());
            return true;
        };

        var error = await Assert.ThrowsAsync<MilvusRequestException>(() =>
            context.Store.SearchPassagesByTextAsync("river", new VectorSearchOptions(), CancellationToken.None));

        Assert.Equal(1100, error.Code);
        Assert.Contains("analyzer failed", error.Message);
    }
}
