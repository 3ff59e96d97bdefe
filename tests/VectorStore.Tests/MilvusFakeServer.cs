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
/// response shapes from a small in-memory model (collections with a schema checked by <see cref="MilvusFakeSchema"/>,
/// rows by id, brute-force cosine search, BM25 full-text search (<see cref="MilvusFakeAnalyzer"/>), <c>hybrid_search</c>
/// with Milvus's rrf ranker, the filter forms of <see cref="MilvusFakeFilter"/>, load states). Errors are HTTP 200 with a
/// non-zero <c>code</c>. <see cref="Intercept"/> injects failures.
/// </summary>
internal sealed class MilvusFakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MilvusFakeCollection> _collections = new(StringComparer.Ordinal);
    private readonly List<MilvusRecordedRequest> _requests = [];

    private MilvusFakeServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The success <c>code</c> (0 in current releases; some 2.4 builds send 200).</summary>
    public int SuccessCode { get; set; }

    /// <summary>How many <c>get_load_state</c> calls answer <c>LoadStateLoading</c> after each load (-1: forever).</summary>
    public int LoadingPolls { get; set; }

    /// <summary>Called before the model; return true when it wrote the response itself.</summary>
    public Func<MilvusRecordedRequest, HttpContext, Task<bool>>? Intercept { get; set; }

    /// <summary>In proxy mode (<see cref="StartProxyAsync"/>), the real Milvus every request is forwarded to after it is
    /// recorded; null for the fake's own model.</summary>
    public Uri? Upstream { get; private set; }

    /// <summary>A recording proxy in front of a real Milvus: <see cref="Requests"/>, <see cref="ClearRequests"/> and
    /// <see cref="Intercept"/> work as on the fake, every other request is answered by <paramref name="upstream"/>. The
    /// fake's model (<see cref="RowCount"/>, <see cref="SetMetric"/>, …) stays empty: ask the real server instead.</summary>
    public static async Task<MilvusFakeServer> StartProxyAsync(Uri upstream)
    {
        var server = await StartAsync();
        server.Upstream = upstream;
        return server;
    }

    private static readonly HttpClient UpstreamHttp = new() { Timeout = TimeSpan.FromMinutes(2) };

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

    /// <summary>Removes fields (with the functions and indexes on them) from a collection's schema and rows, as if an older
    /// version had created it without them.</summary>
    public void DropFields(string collection, params string[] fields)
    {
        lock (_gate)
        {
            var target = _collections[collection];
            target.Fields.RemoveAll(f => fields.Contains(f.Name));
            target.Functions.RemoveAll(f => fields.Contains(f.Input) || fields.Contains(f.Output));
            target.Indexes.RemoveAll(i => fields.Contains(i.FieldName));
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
        if (Upstream is { } upstream)
        {
            using var forward = new HttpRequestMessage(HttpMethod.Post, new Uri(upstream, context.Request.Path.Value))
            {
                Content = new StringContent(text, Encoding.UTF8, "application/json"),
            };
            if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
            {
                forward.Headers.TryAddWithoutValidation("Authorization", authorization.ToString());
            }
            using var answered = await UpstreamHttp.SendAsync(forward, context.RequestAborted);
            context.Response.StatusCode = (int)answered.StatusCode;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(await answered.Content.ReadAsStringAsync(context.RequestAborted), context.RequestAborted);
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
                "entities/search" => RequireLoaded(collection) ?? RequireConsistency(body) ?? Search(collection, body),
                "entities/hybrid_search" => RequireLoaded(collection) ?? RequireConsistency(body) ?? HybridSearch(collection, body),
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
        try
        {
            _collections[name] = MilvusFakeSchema.Create(name, body);
            return Ok(new JsonObject());
        }
        catch (FormatException ex)
        {
            return Error(1100, $"invalid parameter: {ex.Message}");
        }
    }

    private JsonObject Load(MilvusFakeCollection collection)
    {
        collection.Loaded = true;
        collection.PendingLoadingPolls = LoadingPolls;
        return Ok(new JsonObject());
    }

    private JsonObject LoadState(MilvusFakeCollection collection)
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

    private JsonObject Search(MilvusFakeCollection collection, JsonObject body)
    {
        var hits = collection.Search(body);
        return new JsonObject { ["code"] = SuccessCode, ["data"] = hits, ["topks"] = new JsonArray(hits.Count) };
    }

    /// <summary><c>entities/hybrid_search</c>: each sub-search ranked on its own (<see cref="MilvusFakeCollection.Rank"/>),
    /// then Milvus's rrf: Σ 1/(k + rank) per id, ranks from 1, k in (0, 16384) (60 without a rerank); ties keep the order of
    /// first appearance. Only <c>rrf</c> is modelled; other strategies are refused.</summary>
    private JsonObject HybridSearch(MilvusFakeCollection collection, JsonObject body)
    {
        var searches = body["search"]?.AsArray() ?? throw new FormatException("search is required");
        var strategy = (string?)body["rerank"]?["strategy"] ?? "rrf";
        if (strategy != "rrf")
        {
            return Error(65535, $"unsupported rerank strategy {strategy} (the fake models rrf only)");
        }
        var k = (double?)body["rerank"]?["params"]?["k"] ?? 60;
        if (k is <= 0 or >= 16384)
        {
            return Error(65535, $"The rank params k should be in range (0, 16384), but got {k}");
        }
        var fused = new Dictionary<string, (JsonObject Row, double Score, int Order)>(StringComparer.Ordinal);
        foreach (var search in searches)
        {
            var hits = collection.Rank(search!.AsObject(), (string?)search["metricType"]);
            for (var rank = 0; rank < hits.Count; rank++)
            {
                var id = (string)hits[rank].Row["id"]!;
                var entry = fused.TryGetValue(id, out var found) ? found : (hits[rank].Row, 0d, fused.Count);
                fused[id] = (entry.Item1, entry.Item2 + 1 / (k + rank + 1), entry.Item3);
            }
        }
        var outputFields = collection.OutputFields(body);
        var limit = (int?)body["limit"] ?? 100;
        var data = fused.Values.OrderByDescending(e => e.Score).ThenBy(e => e.Order).Take(limit)
            .Select(e => (JsonNode)collection.Hit(e.Row, e.Score, outputFields));
        return new JsonObject { ["code"] = SuccessCode, ["data"] = new JsonArray(data.ToArray()) };
    }

    private static JsonObject? RequireConsistency(JsonObject body) =>
        (string?)body["consistencyLevel"] is null or "Strong" or "Session" or "Bounded" or "Eventually" or "Customized"
            ? null
            : Error(1100, "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded");

    private static JsonObject? RequireLoaded(MilvusFakeCollection collection) =>
        collection.Loaded ? null : Error(101, $"collection not loaded[collection={collection.Name}]");

    private JsonObject Ok(JsonNode data) => new() { ["code"] = SuccessCode, ["data"] = data };

    public static JsonObject Error(int code, string message) => new() { ["code"] = code, ["message"] = message };
}
