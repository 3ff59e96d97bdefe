using System.Text.Json.Nodes;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>The requests match the documented REST v2 shapes (field names, types, headers).</summary>
public sealed class MilvusRequestShapeTests
{
    private static readonly float[] Vector4 = [0.5f, -0.25f, 0.125f, 1];

    [Fact]
    public async Task Create_sends_the_documented_schema_HNSW_COSINE_index_and_BM25_function_with_its_sparse_index()
    {
        await using var context = await MilvusTestContext.StartAsync(o =>
        {
            o.HnswM = 24;
            o.HnswEfConstruction = 300;
            o.Database = "rag";
        });

        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);

        var create = context.Server.RequestsTo("collections/create").First().Body;
        var expected = JsonNode.Parse("""
        {
          "dbName": "rag",
          "collectionName": "passages_v2",
          "schema": {
            "autoID": false,
            "enableDynamicField": false,
            "fields": [
              { "fieldName": "id", "dataType": "VarChar", "isPrimary": true, "elementTypeParams": { "max_length": 128 } },
              { "fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": { "dim": "4" } },
              { "fieldName": "text", "dataType": "VarChar", "elementTypeParams": { "max_length": 8192 } },
              { "fieldName": "document_id", "dataType": "VarChar", "elementTypeParams": { "max_length": 256 } },
              { "fieldName": "source", "dataType": "VarChar", "elementTypeParams": { "max_length": 64 } },
              { "fieldName": "title", "dataType": "VarChar", "elementTypeParams": { "max_length": 1024 } },
              { "fieldName": "url", "dataType": "VarChar", "elementTypeParams": { "max_length": 2048 } },
              { "fieldName": "section", "dataType": "VarChar", "elementTypeParams": { "max_length": 1024 } },
              { "fieldName": "revision", "dataType": "VarChar", "elementTypeParams": { "max_length": 128 } },
              { "fieldName": "chunk_index", "dataType": "Int64" },
              {
                "fieldName": "search_text", "dataType": "VarChar",
                "elementTypeParams": {
                  "max_length": 10256, "enable_analyzer": true,
                  "analyzer_params": { "tokenizer": "standard", "filter": ["lowercase", "asciifolding"] }
                }
              },
              { "fieldName": "text_sparse", "dataType": "SparseFloatVector" }
            ],
            "functions": [
              { "name": "text_bm25", "type": "BM25", "inputFieldNames": ["search_text"], "outputFieldNames": ["text_sparse"], "params": {} }
            ]
          },
          "indexParams": [
            { "fieldName": "vector", "indexName": "vector", "metricType": "COSINE", "indexType": "HNSW", "params": { "M": 24, "efConstruction": 300 } },
            {
              "fieldName": "text_sparse", "indexName": "text_sparse", "metricType": "BM25", "indexType": "SPARSE_INVERTED_INDEX",
              "params": { "bm25_k1": 1.2, "bm25_b": 0.75 }
            }
          ]
        }
        """);
        Assert.True(JsonNode.DeepEquals(expected, create), create.ToJsonString());

        var creates = context.Server.RequestsTo("collections/create");
        Assert.Equal(["passages_v2", "images", "image_captions"], creates.Select(r => (string?)r.Body["collectionName"]));
        var images = creates[1].Body;
        var captions = creates[2].Body;
        Assert.Equal(
        [
            "id", "vector", "media_ref", "caption", "attribution", "document_id", "source", "url", "revision",
            "title", "section", "source_url", "description_url", "license", "mime_type",
        ], images["schema"]!["fields"]!.AsArray().Select(f => (string)f!["fieldName"]!));
        Assert.Equal(
            [128, 1024, 4096, 4096, 256, 64, 2048, 128, 1024, 1024, 2048, 2048, 1024, 255],
            images["schema"]!["fields"]!.AsArray().Where(f => (string?)f!["dataType"] == "VarChar").Select(f => (int)f!["elementTypeParams"]!["max_length"]!));
        Assert.Equal("3", (string?)images["schema"]!["fields"]![1]!["elementTypeParams"]!["dim"]);
        Assert.Equal(
            images["schema"]!["fields"]!.AsArray().Select(f => (string)f!["fieldName"]!),
            captions["schema"]!["fields"]!.AsArray().Select(f => (string)f!["fieldName"]!));
        Assert.Equal("4", (string?)captions["schema"]!["fields"]![1]!["elementTypeParams"]!["dim"]);
        Assert.All(context.Server.Requests, r => Assert.Equal("rag", (string?)r.Body["dbName"]));
    }

    [Fact]
    public async Task Every_call_sends_the_JSON_and_Milvus_headers_and_a_bearer_token_when_configured()
    {
        await using var context = await MilvusTestContext.StartAsync(o =>
        {
            o.Token = "root:Milvus";
            o.RequestTimeout = TimeSpan.FromSeconds(12.5);
        });

        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);
        await context.Store.CountAsync(VectorCollection.Passages, null, CancellationToken.None);

        Assert.NotEmpty(context.Server.Requests);
        Assert.All(context.Server.Requests, request =>
        {
            Assert.Equal("Bearer root:Milvus", request.Header("Authorization"));
            Assert.Equal("13", request.Header("Request-Timeout"));
            Assert.Equal("true", request.Header("Accept-Type-Allow-Int64"));
            Assert.StartsWith("application/json", request.Header("Content-Type"));
        });
    }

    [Fact]
    public async Task No_Authorization_header_without_a_token()
    {
        await using var context = await MilvusTestContext.StartAsync();

        await context.Store.EnsureCollectionsAsync(MilvusTestContext.Dimensions, CancellationToken.None);

        Assert.All(context.Server.Requests, request => Assert.Null(request.Header("Authorization")));
    }

    [Fact]
    public async Task Search_sends_data_annsField_limit_filter_outputFields_and_searchParams()
    {
        await using var context = await (await MilvusTestContext.StartAsync(o => o.SearchEf = 16)).WithCollectionsAsync();

        await context.Store.SearchPassagesAsync(Vector4, new VectorSearchOptions { TopK = 32, DocumentIds = ["doc-1"] }, CancellationToken.None);
        await context.Store.SearchImagesAsync([1, 2, 3], new VectorSearchOptions { TopK = 5 }, CancellationToken.None);

        var passages = context.Server.RequestsTo("entities/search")[0].Body;
        var expected = JsonNode.Parse("""
        {
          "dbName": "default",
          "collectionName": "passages_v2",
          "data": [[0.5, -0.25, 0.125, 1]],
          "annsField": "vector",
          "limit": 32,
          "filter": "document_id in [\"doc-1\"]",
          "outputFields": ["text", "document_id", "source", "title", "url", "section", "revision", "chunk_index"],
          "searchParams": { "metricType": "COSINE", "params": { "ef": 32 } }
        }
        """);
        Assert.True(JsonNode.DeepEquals(expected, passages), passages.ToJsonString());

        var images = context.Server.RequestsTo("entities/search")[1].Body;
        Assert.False(images.ContainsKey("filter"));
        Assert.Equal(16, (int)images["searchParams"]!["params"]!["ef"]!);
        Assert.Equal(
            ["media_ref", "caption", "attribution", "document_id", "source", "url", "revision", "title", "section", "source_url", "description_url", "license", "mime_type"],
            images["outputFields"]!.AsArray().Select(f => (string)f!));
    }

    [Fact]
    public async Task Upsert_sends_rows_keyed_by_field_name()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();

        await context.Store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", Vector4, chunk: 7, text: "Grüße")], CancellationToken.None);

        var body = context.Server.RequestsTo("entities/upsert").Single().Body;
        var expected = JsonNode.Parse("""
        {
          "dbName": "default",
          "collectionName": "passages_v2",
          "data": [{
            "id": "p1", "vector": [0.5, -0.25, 0.125, 1], "text": "Grüße", "document_id": "doc-1", "source": "wikipedia",
            "title": "Title of doc-1", "url": "https://example.org/doc-1", "section": "Intro", "revision": "rev-1", "chunk_index": 7,
            "search_text": "Title of doc-1 › Intro\nGrüße"
          }]
        }
        """);
        Assert.True(JsonNode.DeepEquals(expected, body), body.ToJsonString());
    }

    [Fact]
    public async Task Count_queries_count_star_with_the_filter_and_no_pagination()
    {
        await using var context = await (await MilvusTestContext.StartAsync(o => o.ConsistencyLevel = "Strong")).WithCollectionsAsync();

        await context.Store.CountAsync(VectorCollection.Images, "doc-9", CancellationToken.None);
        await context.Store.CountAsync(VectorCollection.Passages, null, CancellationToken.None);

        var queries = context.Server.RequestsTo("entities/query");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"dbName":"default","collectionName":"images","filter":"document_id == \"doc-9\"","outputFields":["count(*)"],"consistencyLevel":"Strong"}
            """), queries[0].Body), queries[0].Body.ToJsonString());
        Assert.Equal("", (string?)queries[1].Body["filter"]);
    }

    [Fact]
    public async Task Delete_sends_the_filter_of_ids()
    {
        await using var context = await (await MilvusTestContext.StartAsync()).WithCollectionsAsync();
        await context.Store.UpsertImagesAsync([MilvusTestContext.Image("a", [1, 0, 0]), MilvusTestContext.Image("b", [0, 1, 0])], CancellationToken.None);

        await context.Store.DeleteAsync(VectorCollection.Images, ["a", "b", "a"], CancellationToken.None);

        var delete = context.Server.RequestsTo("entities/delete").Single().Body;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"dbName":"default","collectionName":"images","filter":"id in [\"a\",\"b\"]"}
            """), delete), delete.ToJsonString());
    }
}
