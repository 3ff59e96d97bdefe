using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// Reads a <c>collections/create</c> body into a <see cref="MilvusFakeCollection"/>, checking what Milvus 2.5 checks:
/// <c>dataType</c> and function <c>type</c> are case-sensitive proto enum names; a BM25 function reads an analysed VarChar
/// (<c>enable_analyzer: true</c>) and writes a SparseFloatVector; an index on a BM25 output uses the BM25 metric and a
/// sparse index type, with <c>bm25_k1</c> in [1.2, 2.0] and <c>bm25_b</c> in [0, 1]. Stricter than Milvus in one way:
/// every vector field must have an index in the request (Milvus would fail to load the collection later instead).
/// </summary>
internal static class MilvusFakeSchema
{
    private static readonly string[] DataTypes =
    [
        "Bool", "Int8", "Int16", "Int32", "Int64", "Float", "Double", "String", "VarChar", "Array", "JSON",
        "BinaryVector", "FloatVector", "Float16Vector", "BFloat16Vector", "SparseFloatVector", "Int8Vector",
    ];

    private static readonly string[] SparseIndexTypes = ["SPARSE_INVERTED_INDEX", "SPARSE_WAND"];

    public static MilvusFakeCollection Create(string name, JsonObject body)
    {
        var schema = body["schema"]?.AsObject() ?? throw new FormatException("the fake requires a schema (custom setup)");
        var collection = new MilvusFakeCollection(name);
        foreach (var node in schema["fields"]!.AsArray())
        {
            collection.Fields.Add(Field(node!.AsObject()));
        }
        foreach (var node in schema["functions"]?.AsArray() ?? [])
        {
            collection.Functions.Add(Function(collection, node!.AsObject()));
        }
        foreach (var node in body["indexParams"]?.AsArray() ?? [])
        {
            collection.Indexes.Add(Index(collection, node!.AsObject()));
        }
        foreach (var vector in collection.Fields.Where(f => f.Type.EndsWith("Vector", StringComparison.Ordinal)))
        {
            if (collection.Indexes.All(i => i.FieldName != vector.Name))
            {
                throw new FormatException($"there is no index on the vector field {vector.Name}");
            }
        }
        return collection;
    }

    private static MilvusFakeField Field(JsonObject field)
    {
        var name = (string)field["fieldName"]!;
        var type = (string?)field["dataType"];
        if (type is null || !DataTypes.Contains(type, StringComparer.Ordinal))
        {
            throw new FormatException($"data type {type} of field {name} is invalid");
        }
        var parameters = field["elementTypeParams"] as JsonObject;
        MilvusFakeAnalyzer? analyzer = null;
        if (parameters?["enable_analyzer"] is { } enabled && enabled.GetValueKind() == JsonValueKind.True)
        {
            if (type != "VarChar")
            {
                throw new FormatException($"enable_analyzer is only for VarChar fields, not {name} ({type})");
            }
            analyzer = MilvusFakeAnalyzer.From(parameters["analyzer_params"]);
        }
        return new MilvusFakeField(name, type, (bool?)field["isPrimary"] ?? false,
            parameters?.ToDictionary(p => p.Key, p => p.Value is JsonValue ? p.Value.ToString() : p.Value!.ToJsonString()) ?? [],
            analyzer);
    }

    private static MilvusFakeFunction Function(MilvusFakeCollection collection, JsonObject function)
    {
        var name = (string?)function["name"] ?? throw new FormatException("a function needs a name");
        var type = (string?)function["type"];
        if (type != "BM25")
        {
            throw new FormatException($"function type {type} of {name} is not supported (BM25)");
        }
        var inputs = function["inputFieldNames"]?.AsArray().Select(f => (string)f!).ToList() ?? [];
        var outputs = function["outputFieldNames"]?.AsArray().Select(f => (string)f!).ToList() ?? [];
        if (inputs.Count != 1 || outputs.Count != 1)
        {
            throw new FormatException($"BM25 function {name} takes one input and one output field");
        }
        var input = collection.Fields.SingleOrDefault(f => f.Name == inputs[0]);
        if (input is not { Type: "VarChar", Analyzer: not null })
        {
            throw new FormatException($"BM25 function input field {inputs[0]} must be a VarChar with enable_analyzer");
        }
        var output = collection.Fields.SingleOrDefault(f => f.Name == outputs[0]);
        if (output is not { Type: "SparseFloatVector" })
        {
            throw new FormatException($"BM25 function output field {outputs[0]} must be a SparseFloatVector");
        }
        return new MilvusFakeFunction(name, input.Name, output.Name);
    }

    private static MilvusFakeIndex Index(MilvusFakeCollection collection, JsonObject index)
    {
        var fieldName = (string)index["fieldName"]!;
        var field = collection.Fields.SingleOrDefault(f => f.Name == fieldName) ?? throw new FormatException($"index on unknown field {fieldName}");
        var metric = (string?)index["metricType"] ?? throw new FormatException($"the index on {fieldName} needs a metricType");
        var indexType = (string?)index["indexType"] ?? "AUTOINDEX";
        var parameters = index["params"] as JsonObject;
        if (collection.Functions.All(f => f.Output != fieldName))
        {
            return new MilvusFakeIndex(fieldName, metric, indexType, 0, 0);
        }
        if (metric != "BM25")
        {
            throw new FormatException($"the index on the BM25 output {fieldName} must use the BM25 metric, not {metric}");
        }
        if (!SparseIndexTypes.Contains(indexType, StringComparer.Ordinal) || field.Type != "SparseFloatVector")
        {
            throw new FormatException($"index type {indexType} is not a sparse index");
        }
        var k1 = Number(parameters, "bm25_k1", 1.2);
        var b = Number(parameters, "bm25_b", 0.75);
        if (k1 is < 1.2 or > 2.0 || b is < 0 or > 1)
        {
            throw new FormatException($"bm25_k1 must be in [1.2, 2.0] and bm25_b in [0, 1], got {k1} and {b}");
        }
        return new MilvusFakeIndex(fieldName, metric, indexType, k1, b);
    }

    private static double Number(JsonObject? parameters, string key, double fallback) =>
        parameters?[key] is { } value ? double.Parse(value.ToString(), CultureInfo.InvariantCulture) : fallback;
}
