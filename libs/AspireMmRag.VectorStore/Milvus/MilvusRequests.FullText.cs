using System.Text.Json;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>The full-text (BM25) and hybrid parts of the REST v2 bodies (Milvus 2.5 "Full Text Search" and
/// "Hybrid Search" guides; <c>FunctionSchema</c>, <c>SubSearchReq</c> and <c>HybridSearchReq</c> in request_v2.go).</summary>
internal static partial class MilvusRequests
{
    /// <summary>Inside an analysed VarChar's <c>elementTypeParams</c>:
    /// <c>"enable_analyzer":true,"analyzer_params":{"tokenizer":"standard","filter":["lowercase","asciifolding"]}</c>.</summary>
    private static void WriteAnalyzer(Utf8JsonWriter writer)
    {
        writer.WriteBoolean("enable_analyzer", true);
        writer.WriteStartObject("analyzer_params");
        writer.WriteString("tokenizer", MilvusFullText.Tokenizer);
        WriteStrings(writer, "filter", MilvusFullText.Filters);
        writer.WriteEndObject();
    }

    /// <summary>The schema's <c>"functions":[{"name","type":"BM25","inputFieldNames":[text],"outputFieldNames":[sparse],"params":{}}]</c>.</summary>
    private static void WriteBm25Function(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("functions");
        writer.WriteStartObject();
        writer.WriteString("name", MilvusFullText.Function);
        writer.WriteString("type", MilvusFullText.FunctionType);
        WriteStrings(writer, "inputFieldNames", [MilvusFullText.SearchText]);
        WriteStrings(writer, "outputFieldNames", [MilvusFullText.Sparse]);
        writer.WriteStartObject("params");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    /// <summary>An <c>indexParams</c> entry: <c>{"fieldName":sparse,"indexName":sparse,"metricType":"BM25",
    /// "indexType":"SPARSE_INVERTED_INDEX","params":{"bm25_k1":1.2,"bm25_b":0.75}}</c>. No <c>inverted_index_algo</c>:
    /// the server's default applies, and whether 2.5.0–2.5.3 accept the key is not known.</summary>
    private static void WriteSparseIndex(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("fieldName", MilvusFullText.Sparse);
        writer.WriteString("indexName", MilvusFullText.Sparse);
        writer.WriteString("metricType", MilvusFullText.MetricType);
        writer.WriteString("indexType", MilvusFullText.IndexType);
        writer.WriteStartObject("params");
        writer.WriteNumber("bm25_k1", MilvusFullText.Bm25K1);
        writer.WriteNumber("bm25_b", MilvusFullText.Bm25B);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary><c>entities/search</c> by text: <c>{"dbName","collectionName","data":["text"],"annsField":sparse,"limit",
    /// "filter"?,"outputFields","consistencyLevel"?}</c>; Milvus analyses the text because the field is a BM25 output.</summary>
    public static byte[] TextSearch(string database, string collection, string query, int limit, string filter,
        IReadOnlyList<string> outputFields, string? consistencyLevel) =>
        Write(writer =>
        {
            WriteTarget(writer, database, collection);
            WriteTextLeg(writer, query, limit, filter);
            WriteStrings(writer, "outputFields", outputFields);
            WriteConsistency(writer, consistencyLevel);
        });

    /// <summary><c>entities/hybrid_search</c>: <c>{"dbName","collectionName","search":[{dense},{text}],
    /// "rerank":{"strategy":"rrf","params":{"k":k}},"limit","outputFields","consistencyLevel"?}</c>. The dense sub-search is
    /// <c>{"data":[[…]],"annsField":"vector","limit","filter"?,"metricType":"COSINE","params":{"params":{"ef":n}}}</c> (the
    /// nested form that both the 2.5.0 and the 2.5.2+ handlers read); the text one sends no metric or params.</summary>
    public static byte[] HybridSearch(string database, string collection, float[] vector, string query, int candidates, string filter,
        int ef, int rrfK, int limit, IReadOnlyList<string> outputFields, string? consistencyLevel) =>
        Write(writer =>
        {
            WriteTarget(writer, database, collection);
            writer.WriteStartArray("search");
            writer.WriteStartObject();
            WriteVectorData(writer, vector);
            writer.WriteString("annsField", MilvusSchema.Vector);
            writer.WriteNumber("limit", candidates);
            WriteFilter(writer, filter);
            writer.WriteString("metricType", MilvusSchema.MetricType);
            writer.WriteStartObject("params");
            writer.WriteStartObject("params");
            writer.WriteNumber("ef", ef);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteStartObject();
            WriteTextLeg(writer, query, candidates, filter);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteStartObject("rerank");
            writer.WriteString("strategy", "rrf");
            writer.WriteStartObject("params");
            writer.WriteNumber("k", rrfK);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteNumber("limit", limit);
            WriteStrings(writer, "outputFields", outputFields);
            WriteConsistency(writer, consistencyLevel);
        });

    private static void WriteTextLeg(Utf8JsonWriter writer, string query, int limit, string filter)
    {
        writer.WriteStartArray("data");
        writer.WriteStringValue(query);
        writer.WriteEndArray();
        writer.WriteString("annsField", MilvusFullText.Sparse);
        writer.WriteNumber("limit", limit);
        WriteFilter(writer, filter);
    }
}
