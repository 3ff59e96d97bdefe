using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>The fake refuses what Milvus 2.5 refuses around full-text search (HTTP 200 with a non-zero code), so the
/// store's tests cannot pass on a request a real server would reject.</summary>
public sealed class MilvusFakeServerTests
{
    private const string Fields = """
        {"fieldName":"id","dataType":"VarChar","isPrimary":true,"elementTypeParams":{"max_length":64}},
        {"fieldName":"vector","dataType":"FloatVector","elementTypeParams":{"dim":"2"}},
        {"fieldName":"text","dataType":"VarChar","elementTypeParams":{"max_length":256,"enable_analyzer":true,"analyzer_params":{"tokenizer":"standard","filter":["lowercase"]}}},
        {"fieldName":"sparse","dataType":"SparseFloatVector"}
        """;

    private const string Function = """{"name":"bm25","type":"BM25","inputFieldNames":["text"],"outputFieldNames":["sparse"],"params":{}}""";
    private const string VectorIndex = """{"fieldName":"vector","metricType":"COSINE","indexType":"HNSW","params":{"M":8,"efConstruction":64}}""";
    private const string SparseIndex = """{"fieldName":"sparse","metricType":"BM25","indexType":"SPARSE_INVERTED_INDEX","params":{"bm25_k1":1.2,"bm25_b":0.75}}""";

    [Theory]
    [InlineData("varchar", Function, SparseIndex)]
    [InlineData("VarChar", """{"name":"bm25","type":"bm25","inputFieldNames":["text"],"outputFieldNames":["sparse"]}""", SparseIndex)]
    [InlineData("VarChar", Function, """{"fieldName":"sparse","metricType":"IP","indexType":"SPARSE_INVERTED_INDEX"}""")]
    [InlineData("VarChar", Function, """{"fieldName":"sparse","metricType":"BM25","indexType":"HNSW"}""")]
    [InlineData("VarChar", Function, """{"fieldName":"sparse","metricType":"BM25","indexType":"SPARSE_INVERTED_INDEX","params":{"bm25_k1":3.0}}""")]
    public async Task Create_refuses_wrong_type_names_functions_and_sparse_indexes(string idType, string function, string sparseIndex)
    {
        await using var server = await MilvusFakeServer.StartAsync();

        var answer = await PostAsync(server, "collections/create", Create(Fields.Replace("\"VarChar\",\"isPrimary\"", $"\"{idType}\",\"isPrimary\""), function, sparseIndex));

        Assert.Equal(1100, (int)answer["code"]!);
        Assert.False(server.HasCollection("c"));
    }

    [Fact]
    public async Task Writes_with_the_sparse_field_and_outputFields_naming_it_are_refused()
    {
        await using var server = await StartWithRowAsync();

        var write = await PostAsync(server, "entities/upsert",
            """{"collectionName":"c","data":[{"id":"b","vector":[1,0],"text":"x","sparse":{"1":0.5}}]}""");
        var query = await PostAsync(server, "entities/query", """{"collectionName":"c","filter":"","outputFields":["sparse"],"limit":5}""");
        var search = await PostAsync(server, "entities/search", """{"collectionName":"c","data":["river"],"annsField":"sparse","limit":5,"outputFields":["sparse"]}""");
        var hybrid = await PostAsync(server, "entities/hybrid_search",
            """{"collectionName":"c","search":[{"data":["river"],"annsField":"sparse","limit":5}],"limit":5,"outputFields":["text","sparse"]}""");

        Assert.All(new[] { write, query, search, hybrid }, answer => Assert.NotEqual(0, (int)answer["code"]!));
        Assert.Equal(["a"], server.RowIds("c"));
    }

    [Fact]
    public async Task Text_search_needs_text_and_the_BM25_metric()
    {
        await using var server = await StartWithRowAsync();

        var vectorOnSparse = await PostAsync(server, "entities/search", """{"collectionName":"c","data":[[1,0]],"annsField":"sparse","limit":5}""");
        var ipMetric = await PostAsync(server, "entities/search",
            """{"collectionName":"c","data":["river"],"annsField":"sparse","limit":5,"searchParams":{"metricType":"IP"}}""");
        var ok = await PostAsync(server, "entities/search", """{"collectionName":"c","data":["RIVER"],"annsField":"sparse","limit":5,"outputFields":["text"]}""");

        Assert.NotEqual(0, (int)vectorOnSparse["code"]!);
        Assert.NotEqual(0, (int)ipMetric["code"]!);
        Assert.Equal(0, (int)ok["code"]!);
        var hit = ok["data"]!.AsArray().Single()!;
        Assert.Equal(("a", "Huế on the river"), ((string?)hit["id"], (string?)hit["text"]));
        Assert.True((double)hit["distance"]! > 0);
    }

    [Fact]
    public async Task Accents_fold_only_when_the_analyzer_has_asciifolding()
    {
        await using var server = await StartWithRowAsync();

        var hue = await PostAsync(server, "entities/search", """{"collectionName":"c","data":["hue"],"annsField":"sparse","limit":5}""");

        Assert.Empty(hue["data"]!.AsArray()); // this schema's analyzer has lowercase only
    }

    [Fact]
    public async Task Hybrid_search_rejects_k_outside_Milvus_range_and_unmodelled_strategies()
    {
        await using var server = await StartWithRowAsync();
        static string Hybrid(string? rerank) =>
            """{"collectionName":"c","search":[{"data":[[1,0]],"annsField":"vector","limit":5},{"data":["river"],"annsField":"sparse","limit":5}]"""
            + (rerank is null ? "" : $",\"rerank\":{rerank}") + ""","limit":5}""";

        var k = await PostAsync(server, "entities/hybrid_search", Hybrid("""{"strategy":"rrf","params":{"k":16384}}"""));
        var weighted = await PostAsync(server, "entities/hybrid_search",
            Hybrid("""{"strategy":"weighted","params":{"weights":[0.5,0.5]}}"""));
        var fused = await PostAsync(server, "entities/hybrid_search", Hybrid(null));

        Assert.Equal(65535, (int)k["code"]!);
        Assert.Equal(65535, (int)weighted["code"]!);
        Assert.Equal(2f / 61, (float)fused["data"]![0]!["distance"]!, 6); // no rerank: rrf with k = 60, first in both lists
    }

    private static string Create(string fields, string function, string sparseIndex) =>
        $$"""{"collectionName":"c","schema":{"autoID":false,"enableDynamicField":false,"fields":[{{fields}}],"functions":[{{function}}]},"indexParams":[{{VectorIndex}},{{sparseIndex}}]}""";

    private static async Task<MilvusFakeServer> StartWithRowAsync()
    {
        var server = await MilvusFakeServer.StartAsync();
        Assert.Equal(0, (int)(await PostAsync(server, "collections/create", Create(Fields, Function, SparseIndex)))["code"]!);
        await PostAsync(server, "collections/load", """{"collectionName":"c"}""");
        Assert.Equal(0, (int)(await PostAsync(server, "entities/upsert", """{"collectionName":"c","data":[{"id":"a","vector":[1,0],"text":"Huế on the river"}]}"""))["code"]!);
        return server;
    }

    private static async Task<JsonObject> PostAsync(MilvusFakeServer server, string action, string body)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(server.Endpoint, "v2/vectordb/" + action), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
