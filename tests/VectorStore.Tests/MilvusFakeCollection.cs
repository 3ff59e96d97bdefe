using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>A field of a fake collection; <see cref="Analyzer"/> is set when <c>enable_analyzer</c> is true.</summary>
internal sealed record MilvusFakeField(string Name, string Type, bool IsPrimary, Dictionary<string, string> Params, MilvusFakeAnalyzer? Analyzer);

/// <summary>A BM25 function: Milvus fills <see cref="Output"/> (a SparseFloatVector) from the analysed <see cref="Input"/>.</summary>
internal sealed record MilvusFakeFunction(string Name, string Input, string Output);

/// <summary>An index as created; <see cref="K1"/> and <see cref="B"/> are the BM25 parameters of a sparse index.</summary>
internal sealed record MilvusFakeIndex(string FieldName, string MetricType, string IndexType, double K1, double B);

/// <summary>One collection of <see cref="MilvusFakeServer"/>: schema, rows by id, query, delete, and the dense (cosine) and
/// full-text (BM25, <see cref="MilvusFakeAnalyzer"/>) rankings that <c>entities/search</c> and <c>entities/hybrid_search</c> use.</summary>
internal sealed class MilvusFakeCollection(string name)
{
    public string Name { get; } = name;
    public List<MilvusFakeField> Fields { get; } = [];
    public List<MilvusFakeFunction> Functions { get; } = [];
    public List<MilvusFakeIndex> Indexes { get; } = [];
    public bool Loaded { get; set; }
    public int PendingLoadingPolls { get; set; }
    public SortedDictionary<string, JsonObject> Rows { get; } = new(Comparer<string>.Create(MilvusFakeFilter.CompareUtf8));

    public int Dimension => int.Parse(Fields.Single(f => f.Type == "FloatVector").Params["dim"], CultureInfo.InvariantCulture);

    public string Metric
    {
        get => Indexes.Single(i => i.FieldName == "vector").MetricType;
        set
        {
            var index = Indexes.FindIndex(i => i.FieldName == "vector");
            Indexes[index] = Indexes[index] with { MetricType = value };
        }
    }

    private bool IsFunctionOutput(string field) => Functions.Any(f => f.Output == field);

    public JsonObject Describe() => new()
    {
        ["collectionName"] = Name,
        ["autoId"] = false,
        ["enableDynamicField"] = false,
        ["fields"] = new JsonArray(Fields.Select(f => (JsonNode)new JsonObject
        {
            ["name"] = f.Name,
            ["type"] = f.Type,
            ["primaryKey"] = f.IsPrimary,
            ["autoId"] = false,
            ["partitionKey"] = false,
            ["params"] = new JsonArray(f.Params.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value }).ToArray()),
        }).ToArray()),
        ["functions"] = new JsonArray(Functions.Select(f => (JsonNode)new JsonObject
        {
            ["name"] = f.Name,
            ["type"] = "BM25",
            ["inputFieldNames"] = new JsonArray(f.Input),
            ["outputFieldNames"] = new JsonArray(f.Output),
        }).ToArray()),
        ["indexes"] = new JsonArray(Indexes.Select(i => (JsonNode)new JsonObject
        {
            ["fieldName"] = i.FieldName,
            ["indexName"] = i.FieldName,
            ["metricType"] = i.MetricType,
        }).ToArray()),
        ["load"] = Loaded ? "LoadStateLoaded" : "LoadStateNotLoad",
        ["shardsNum"] = 1,
    };

    public JsonObject Upsert(JsonObject body)
    {
        var rows = body["data"]!.AsArray().Select(r => r!.AsObject()).ToList();
        foreach (var row in rows)
        {
            Validate(row);
        }
        var ids = new JsonArray();
        foreach (var row in rows)
        {
            var id = (string)row["id"]!;
            Rows[id] = row.DeepClone().AsObject();
            ids.Add(id);
        }
        return new JsonObject { ["upsertCount"] = rows.Count, ["upsertIds"] = ids };
    }

    public JsonArray Query(JsonObject body)
    {
        var filter = MilvusFakeFilter.Parse((string?)body["filter"]);
        var outputFields = OutputFields(body);
        if (outputFields is ["count(*)"])
        {
            if (body["limit"] is not null || body["offset"] is not null)
            {
                throw new FormatException("count entities with pagination is not allowed");
            }
            return [new JsonObject { ["count(*)"] = Rows.Values.Count(filter) }];
        }
        var limit = (int?)body["limit"] ?? 100; // the REST handler's default
        var offset = (int?)body["offset"] ?? 0;
        if (limit + offset > 16384)
        {
            throw new FormatException($"invalid max query result window, (offset+limit) should be in range [1, 16384], but got {offset + limit}");
        }
        return new JsonArray(Rows.Values.Where(filter).Skip(offset).Take(limit).Select(row => (JsonNode)Project(row, outputFields)).ToArray());
    }

    public JsonObject Delete(JsonObject body)
    {
        var expression = (string?)body["filter"];
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new FormatException("filter is required to delete");
        }
        var filter = MilvusFakeFilter.Parse(expression);
        foreach (var id in Rows.Where(r => filter(r.Value)).Select(r => r.Key).ToList())
        {
            Rows.Remove(id);
        }
        return new JsonObject();
    }

    /// <summary><c>entities/search</c>: one ranking, projected.</summary>
    public JsonArray Search(JsonObject body)
    {
        var metric = (string?)body["searchParams"]?["metricType"];
        var hits = Rank(body, metric);
        var outputFields = OutputFields(body);
        return new JsonArray(hits.Select(hit => (JsonNode)Hit(hit.Row, hit.Distance, outputFields)).ToArray());
    }

    /// <summary>A (sub-)search's hits best first: <c>data</c> (one vector, or one text for a BM25 output field),
    /// <c>annsField</c>, <c>filter</c>, <c>limit</c>. A metric that is not the field index's metric is an error.</summary>
    public List<(JsonObject Row, double Distance)> Rank(JsonObject search, string? metric)
    {
        var annsField = (string?)search["annsField"] ?? throw new FormatException("annsField is required: the collection has several vector fields");
        var index = Indexes.SingleOrDefault(i => i.FieldName == annsField) ?? throw new FormatException($"cannot find a vector field named: {annsField}");
        if (metric is not null && metric != index.MetricType)
        {
            throw new FormatException($"metric type not match: invalid parameter[expected={index.MetricType}][actual={metric}]");
        }
        var data = search["data"]?.AsArray() ?? throw new FormatException("data is required");
        if (data.Count != 1)
        {
            throw new FormatException($"each search takes exactly one query, got {data.Count}");
        }
        var filter = MilvusFakeFilter.Parse((string?)search["filter"]);
        var limit = (int?)search["limit"] ?? 100;
        var function = Functions.SingleOrDefault(f => f.Output == annsField);
        var scored = function is null ? Dense(data[0]!, annsField) : FullText(data[0]!, function, index);
        return scored
            .Where(hit => filter(hit.Row))
            .OrderByDescending(hit => hit.Distance)
            .Take(limit)
            .ToList();
    }

    public JsonObject Hit(JsonObject row, double distance, IReadOnlyList<string> outputFields)
    {
        var projected = Project(row, outputFields);
        projected["distance"] = (float)distance;
        return projected;
    }

    /// <summary>The request's <c>outputFields</c>; a BM25 function output among them is an error, as in Milvus.</summary>
    public IReadOnlyList<string> OutputFields(JsonObject body)
    {
        var fields = body["outputFields"]?.AsArray().Select(f => (string)f!).ToList() ?? [];
        foreach (var field in fields.Where(IsFunctionOutput))
        {
            throw new FormatException($"not allowed to retrieve raw data of field {field}: it is the output of a BM25 function");
        }
        return fields;
    }

    private IEnumerable<(JsonObject Row, double Distance)> Dense(JsonNode data, string annsField)
    {
        if (data is not JsonArray vector)
        {
            throw new FormatException($"the query of the vector field {annsField} must be a vector");
        }
        var query = vector.Select(v => (double)v!).ToArray();
        if (query.Length != Dimension)
        {
            throw new FormatException($"the dimension of the vector ({query.Length}) is not equal to the collection's ({Dimension})");
        }
        return Rows.Values.Select(row => (row, Cosine(query, row[annsField]!.AsArray().Select(v => (double)v!).ToArray())));
    }

    /// <summary>BM25 over every row (the statistics of the whole collection); rows without a shared token are not hits.</summary>
    private IEnumerable<(JsonObject Row, double Distance)> FullText(JsonNode data, MilvusFakeFunction function, MilvusFakeIndex index)
    {
        if (data.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            throw new FormatException($"the query of the BM25 field {function.Output} must be text");
        }
        var analyzer = Fields.Single(f => f.Name == function.Input).Analyzer!;
        var query = analyzer.Tokens((string)data!);
        var rows = Rows.Values.ToList();
        var scores = MilvusFakeAnalyzer.Scores(query, rows.Select(r => analyzer.Tokens((string)r[function.Input]!)).ToList(), index.K1, index.B);
        return rows.Select((row, i) => (row, scores[i])).Where(hit => hit.Item2 > 0);
    }

    private void Validate(JsonObject row)
    {
        foreach (var property in row)
        {
            if (IsFunctionOutput(property.Key))
            {
                throw new FormatException($"attempt to insert bm25 function output field {property.Key}");
            }
            if (Fields.All(f => f.Name != property.Key))
            {
                throw new FormatException($"field {property.Key} does not exist in the schema (dynamic field disabled)");
            }
        }
        foreach (var field in Fields.Where(f => !IsFunctionOutput(f.Name)))
        {
            var value = row[field.Name] ?? throw new FormatException($"field {field.Name} is missing");
            switch (field.Type)
            {
                case "VarChar":
                    var text = (string)value!;
                    var max = int.Parse(field.Params["max_length"], CultureInfo.InvariantCulture);
                    if (Encoding.UTF8.GetByteCount(text) > max)
                    {
                        throw new FormatException($"the length of varchar field {field.Name} exceeds max length {max}");
                    }
                    break;
                case "Int64":
                    _ = (long)value!;
                    break;
                case "FloatVector":
                    if (value.AsArray().Count != Dimension)
                    {
                        throw new FormatException($"the dim ({value.AsArray().Count}) of field data({field.Name}) is not equal to schema dim ({Dimension})");
                    }
                    break;
            }
        }
    }

    private static JsonObject Project(JsonObject row, IReadOnlyList<string> outputFields)
    {
        var projected = new JsonObject { ["id"] = row["id"]!.DeepClone() };
        foreach (var field in outputFields.Contains("*") ? row.Select(p => p.Key).ToList() : outputFields)
        {
            if (field != "id")
            {
                projected[field] = row[field]?.DeepClone() ?? throw new FormatException($"field {field} not exist");
            }
        }
        return projected;
    }

    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }
}
