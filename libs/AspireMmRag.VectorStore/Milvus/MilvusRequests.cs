using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AspireMmRag.VectorStore.Milvus;

/// <summary>
/// JSON bodies of the Milvus REST API v2 calls (<c>POST /v2/vectordb/{category}/{action}</c>). Each builder follows the
/// request body documented in the Milvus RESTful reference (milvus-io/web-content, API_Reference/milvus-restful/v2.4.x/v2/…)
/// and the server's request structs (milvus-io/milvus, internal/distributed/proxy/httpserver/request_v2.go).
/// </summary>
internal static partial class MilvusRequests
{
    // Relaxed escaping keeps non-ASCII text as UTF-8 instead of \uXXXX (the body is JSON, never HTML).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>collections/has</c>, <c>collections/describe</c>, <c>collections/load</c>, <c>collections/get_load_state</c>:
    /// <c>{"dbName","collectionName"}</c> (Collection (v2)/Has.md, Describe.md, Load.md, Get Load State.md).</summary>
    public static byte[] Collection(string database, string collection) => Write(writer => WriteTarget(writer, database, collection));

    /// <summary><c>collections/create</c> with a schema and index parameters (Collection (v2)/Create.md, "Custom Setup with
    /// index parameters"; <c>IndexParam</c> in request_v2.go takes <c>indexType</c> and <c>params</c>):
    /// <code>{"dbName","collectionName","schema":{"autoID":false,"enableDynamicField":false,"fields":[{"fieldName","dataType",
    /// "isPrimary"?,"elementTypeParams":{"max_length":n | "dim":"d"}}]},"indexParams":[{"fieldName":"vector","indexName":"vector",
    /// "metricType":"COSINE","indexType":"HNSW","params":{"M":m,"efConstruction":e}}]}</code>
    /// A schema with full text adds the analyser to its analysed VarChar, a <c>functions</c> entry and the sparse index
    /// (<see cref="WriteAnalyzer"/>, <see cref="WriteBm25Function"/>, <see cref="WriteSparseIndex"/>).</summary>
    public static byte[] CreateCollection(string database, string collection, MilvusCollectionSchema schema, int dimension, int m, int efConstruction) =>
        Write(writer =>
        {
            WriteTarget(writer, database, collection);
            writer.WriteStartObject("schema");
            writer.WriteBoolean("autoID", false);
            writer.WriteBoolean("enableDynamicField", false);
            writer.WriteStartArray("fields");
            foreach (var field in schema.Fields)
            {
                writer.WriteStartObject();
                writer.WriteString("fieldName", field.Name);
                writer.WriteString("dataType", field.Type.ToString());
                if (field.IsPrimary)
                {
                    writer.WriteBoolean("isPrimary", true);
                }
                switch (field.Type)
                {
                    case MilvusDataType.VarChar:
                        writer.WriteStartObject("elementTypeParams");
                        writer.WriteNumber("max_length", field.MaxLength);
                        if (field.IsAnalyzed)
                        {
                            WriteAnalyzer(writer);
                        }
                        writer.WriteEndObject();
                        break;
                    case MilvusDataType.FloatVector:
                        writer.WriteStartObject("elementTypeParams");
                        writer.WriteString("dim", dimension.ToString(CultureInfo.InvariantCulture));
                        writer.WriteEndObject();
                        break;
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            if (schema.HasFullText)
            {
                WriteBm25Function(writer);
            }
            writer.WriteEndObject();
            writer.WriteStartArray("indexParams");
            writer.WriteStartObject();
            writer.WriteString("fieldName", MilvusSchema.Vector);
            writer.WriteString("indexName", MilvusSchema.Vector);
            writer.WriteString("metricType", MilvusSchema.MetricType);
            writer.WriteString("indexType", MilvusSchema.IndexType);
            writer.WriteStartObject("params");
            writer.WriteNumber("M", m);
            writer.WriteNumber("efConstruction", efConstruction);
            writer.WriteEndObject();
            writer.WriteEndObject();
            if (schema.HasFullText)
            {
                WriteSparseIndex(writer);
            }
            writer.WriteEndArray();
        });

    /// <summary><c>entities/upsert</c>: <c>{"dbName","collectionName","data":[{row},…]}</c> (Vector (v2)/Upsert.md).</summary>
    public static byte[] Upsert<T>(string database, string collection, IReadOnlyList<T> rows, Action<Utf8JsonWriter, T> writeRow) =>
        Write(writer =>
        {
            WriteTarget(writer, database, collection);
            writer.WriteStartArray("data");
            foreach (var row in rows)
            {
                writeRow(writer, row);
            }
            writer.WriteEndArray();
        });

    /// <summary><c>entities/query</c>: <c>{"dbName","collectionName","filter","outputFields","limit"?,"consistencyLevel"?}</c>
    /// (Vector (v2)/Query.md; <c>QueryReqV2</c> in request_v2.go). Counting uses <c>outputFields:["count(*)"]</c> without a
    /// limit (Milvus rejects pagination on count queries and skips the REST default limit for them).</summary>
    public static byte[] Query(string database, string collection, string filter, IReadOnlyList<string> outputFields, int? limit, string? consistencyLevel) =>
        Write(writer =>
        {
            WriteTarget(writer, database, collection);
            writer.WriteString("filter", filter);
            WriteStrings(writer, "outputFields", outputFields);
            if (limit is { } value)
            {
                writer.WriteNumber("limit", value);
            }
            WriteConsistency(writer, consistencyLevel);
        });

    /// <summary><c>entities/delete</c>: <c>{"dbName","collectionName","filter"}</c> (Vector (v2)/Delete.md; the filter is required).</summary>
    public static byte[] Delete(string database, string collection, string filter) =>
        Write(writer =>
        {
            WriteTarget(writer, database, collection);
            writer.WriteString("filter", filter);
        });

    /// <summary><c>entities/search</c>: <c>{"dbName","collectionName","data":[[…]],"annsField":"vector","limit","filter"?,
    /// "outputFields","searchParams":{"metricType":"COSINE","params":{"ef":n}},"consistencyLevel"?}</c> (Vector (v2)/Search.md;
    /// <c>SearchReqV2</c> in request_v2.go).</summary>
    public static byte[] Search(string database, string collection, float[] vector, int limit, string filter,
        IReadOnlyList<string> outputFields, int ef, string? consistencyLevel) =>
        Write(writer =>
        {
            WriteTarget(writer, database, collection);
            WriteVectorData(writer, vector);
            writer.WriteString("annsField", MilvusSchema.Vector);
            writer.WriteNumber("limit", limit);
            WriteFilter(writer, filter);
            WriteStrings(writer, "outputFields", outputFields);
            writer.WriteStartObject("searchParams");
            writer.WriteString("metricType", MilvusSchema.MetricType);
            writer.WriteStartObject("params");
            writer.WriteNumber("ef", ef);
            writer.WriteEndObject();
            writer.WriteEndObject();
            WriteConsistency(writer, consistencyLevel);
        });

    /// <summary><c>"data":[[…]]</c>: one query vector.</summary>
    private static void WriteVectorData(Utf8JsonWriter writer, float[] vector)
    {
        writer.WriteStartArray("data");
        writer.WriteStartArray();
        foreach (var component in vector)
        {
            writer.WriteNumberValue(component);
        }
        writer.WriteEndArray();
        writer.WriteEndArray();
    }

    /// <summary><c>"filter"</c> when there is one.</summary>
    private static void WriteFilter(Utf8JsonWriter writer, string filter)
    {
        if (filter.Length > 0)
        {
            writer.WriteString("filter", filter);
        }
    }

    private static void WriteConsistency(Utf8JsonWriter writer, string? consistencyLevel)
    {
        if (consistencyLevel is not null)
        {
            writer.WriteString("consistencyLevel", consistencyLevel);
        }
    }

    private static void WriteTarget(Utf8JsonWriter writer, string database, string collection)
    {
        writer.WriteString("dbName", database);
        writer.WriteString("collectionName", collection);
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
