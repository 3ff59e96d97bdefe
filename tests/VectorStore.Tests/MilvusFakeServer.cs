using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>One request the fake received.</summary>
internal sealed record MilvusRecordedRequest(string Action, JsonObject Body, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A Milvus REST v2 stand-in on Kestrel (http://127.0.0.1:0): records every request and answers with the documented
/// response shapes from a small in-memory model (collections with a schema, rows by id, brute-force cosine search,
/// the filter forms of <see cref="MilvusFakeFilter"/>, load states). <see cref="Intercept"/> injects failures.
/// </summary>
internal sealed class MilvusFakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeCollection> _collections = new(StringComparer.Ordinal);
    private readonly List<MilvusRecordedRequest> _requests = [];

    private MilvusFakeServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The success <c>code</c> (0 in current releases; some 2.4 builds send 200).</summary>
    public int SuccessCode { get; set; }

    /// <summary>How many <c>get_load_state</c> calls answer <c>LoadStateLoading</c> after each load (-1: forever).</summary>
    public int LoadingPolls { get; set; }

    /// <summary>Called before the model; return true when it wrote the response itself.</summary>
    public Func<MilvusRecordedRequest, HttpContext, Task<bool>>? Intercept { get; set; }

    public static async Task<MilvusFakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // HTTP/1.1 set here, whatever an appsettings.json copied into the test folder says of Kestrel's defaults.
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var server = new MilvusFakeServer(app);
        app.MapPost("/v2/vectordb/{category}/{action}", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Endpoint = new Uri(address);
        return server;
    }

    public IReadOnlyList<MilvusRecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    public IReadOnlyList<MilvusRecordedRequest> RequestsTo(string action) => Requests.Where(r => r.Action == action).ToList();

    public bool HasCollection(string name)
    {
        lock (_gate)
        {
            return _collections.ContainsKey(name);
        }
    }

    public int RowCount(string collection)
    {
        lock (_gate)
        {
            return _collections[collection].Rows.Count;
        }
    }

    public IReadOnlyList<string> RowIds(string collection)
    {
        lock (_gate)
        {
            return _collections[collection].Rows.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    public int Dimension(string collection)
    {
        lock (_gate)
        {
            return _collections[collection].Dimension;
        }
    }

    public void SetMetric(string collection, string metric)
    {
        lock (_gate)
        {
            _collections[collection].Metric = metric;
        }
    }

    /// <summary>Removes fields from a collection's schema and rows, as if an older version had created it without them.</summary>
    public void DropFields(string collection, params string[] fields)
    {
        lock (_gate)
        {
            var target = _collections[collection];
            target.Fields.RemoveAll(f => fields.Contains(f.Name));
            foreach (var row in target.Rows.Values)
            {
                foreach (var field in fields)
                {
                    row.Remove(field);
                }
            }
        }
    }

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var action = $"{context.Request.RouteValues["category"]}/{context.Request.RouteValues["action"]}";
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var body = JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException("The body is not a JSON object.");
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new MilvusRecordedRequest(action, body, headers);
        lock (_gate)
        {
            _requests.Add(recorded);
        }
        if (Intercept is { } intercept && await intercept(recorded, context))
        {
            return;
        }
        JsonObject answer;
        lock (_gate)
        {
            answer = Answer(action, body);
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    private JsonObject Answer(string action, JsonObject body)
    {
        var name = (string?)body["collectionName"];
        if (string.IsNullOrEmpty(name))
        {
            return Error(1802, "missing required parameters, error: Key: 'collectionName' Error:Field validation for 'collectionName' failed on the 'required' tag");
        }
        _collections.TryGetValue(name, out var collection);
        if (action == "collections/has")
        {
            return Ok(new JsonObject { ["has"] = collection is not null });
        }
        if (action == "collections/create")
        {
            return collection is not null ? Error(65535, $"collection already exists: {name}") : Create(name, body);
        }
        if (collection is null)
        {
            return Error(100, $"collection not found[database=default][collection={name}]");
        }
        try
        {
            return action switch
            {
                "collections/describe" => Ok(collection.Describe()),
                "collections/load" => Load(collection),
                "collections/get_load_state" => LoadState(collection),
                "entities/upsert" => Ok(collection.Upsert(body)),
                "entities/query" => RequireLoaded(collection) ?? Ok(collection.Query(body)),
                "entities/delete" => Ok(collection.Delete(body)),
                "entities/search" => RequireLoaded(collection) ?? Search(collection, body),
                _ => Error(404, $"unknown action {action}"),
            };
        }
        catch (FormatException ex)
        {
            return Error(1100, $"invalid parameter: {ex.Message}");
        }
    }

    private JsonObject Create(string name, JsonObject body)
    {
        var schema = body["schema"]!.AsObject();
        var collection = new FakeCollection(name);
        foreach (var node in schema["fields"]!.AsArray())
        {
            var field = node!.AsObject();
            var parameters = field["elementTypeParams"] as JsonObject;
            collection.Fields.Add(new FakeField(
                (string)field["fieldName"]!,
                (string)field["dataType"]!,
                (bool?)field["isPrimary"] ?? false,
                parameters?.ToDictionary(p => p.Key, p => p.Value!.ToString()) ?? []));
        }
        collection.Metric = (string)body["indexParams"]![0]!["metricType"]!;
        _collections[name] = collection;
        return Ok(new JsonObject());
    }

    private JsonObject Load(FakeCollection collection)
    {
        collection.Loaded = true;
        collection.PendingLoadingPolls = LoadingPolls;
        return Ok(new JsonObject());
    }

    private JsonObject LoadState(FakeCollection collection)
    {
        if (!collection.Loaded)
        {
            return Ok(new JsonObject { ["loadState"] = "LoadStateNotLoad" });
        }
        if (collection.PendingLoadingPolls != 0)
        {
            if (collection.PendingLoadingPolls > 0)
            {
                collection.PendingLoadingPolls--;
            }
            return Ok(new JsonObject { ["loadState"] = "LoadStateLoading", ["loadProgress"] = 50 });
        }
        return Ok(new JsonObject { ["loadState"] = "LoadStateLoaded", ["loadProgress"] = 100 });
    }

    private JsonObject Search(FakeCollection collection, JsonObject body)
    {
        var hits = collection.Search(body);
        return new JsonObject { ["code"] = SuccessCode, ["data"] = hits, ["topks"] = new JsonArray(hits.Count) };
    }

    private static JsonObject? RequireLoaded(FakeCollection collection) =>
        collection.Loaded ? null : Error(101, $"collection not loaded[collection={collection.Name}]");

    private JsonObject Ok(JsonNode data) => new() { ["code"] = SuccessCode, ["data"] = data };

    public static JsonObject Error(int code, string message) => new() { ["code"] = code, ["message"] = message };

    private sealed record FakeField(string Name, string Type, bool IsPrimary, Dictionary<string, string> Params);

    private sealed class FakeCollection(string name)
    {
        public string Name { get; } = name;
        public List<FakeField> Fields { get; } = [];
        public string Metric { get; set; } = "COSINE";
        public bool Loaded { get; set; }
        public int PendingLoadingPolls { get; set; }
        public SortedDictionary<string, JsonObject> Rows { get; } = new(Comparer<string>.Create(MilvusFakeFilter.CompareUtf8));

        public int Dimension => int.Parse(Fields.Single(f => f.Type == "FloatVector").Params["dim"], System.Globalization.CultureInfo.InvariantCulture);

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
            ["indexes"] = new JsonArray(new JsonObject { ["fieldName"] = "vector", ["indexName"] = "vector", ["metricType"] = Metric }),
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
            var outputFields = body["outputFields"]?.AsArray().Select(f => (string)f!).ToList() ?? ["*"];
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

        public JsonArray Search(JsonObject body)
        {
            if ((string?)body["annsField"] != "vector")
            {
                throw new FormatException("annsField must be the vector field");
            }
            var query = body["data"]!.AsArray().Single()!.AsArray().Select(v => (double)v!).ToArray();
            if (query.Length != Dimension)
            {
                throw new FormatException($"the dimension of the vector ({query.Length}) is not equal to the collection's ({Dimension})");
            }
            var filter = MilvusFakeFilter.Parse((string?)body["filter"]);
            var limit = (int?)body["limit"] ?? 100;
            var outputFields = body["outputFields"]?.AsArray().Select(f => (string)f!).ToList() ?? [];
            var hits = Rows.Values.Where(filter)
                .Select(row => (Row: row, Distance: Cosine(query, row["vector"]!.AsArray().Select(v => (double)v!).ToArray())))
                .OrderByDescending(hit => hit.Distance)
                .Take(limit)
                .Select(hit =>
                {
                    var projected = Project(hit.Row, outputFields);
                    projected["distance"] = (float)hit.Distance;
                    return (JsonNode)projected;
                });
            return new JsonArray(hits.ToArray());
        }

        private void Validate(JsonObject row)
        {
            foreach (var property in row)
            {
                if (Fields.All(f => f.Name != property.Key))
                {
                    throw new FormatException($"field {property.Key} does not exist in the schema (dynamic field disabled)");
                }
            }
            foreach (var field in Fields)
            {
                var value = row[field.Name] ?? throw new FormatException($"field {field.Name} is missing");
                switch (field.Type)
                {
                    case "VarChar":
                        var text = (string)value!;
                        var max = int.Parse(field.Params["max_length"], System.Globalization.CultureInfo.InvariantCulture);
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
}
