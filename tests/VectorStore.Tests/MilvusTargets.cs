using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AspireMmRag.TestModels;

namespace AspireMmRag.VectorStore.Tests;

/// <summary>
/// The Milvus servers the contract tests run against, as xunit theory data: always the fake (<see cref="MilvusFakeServer"/>);
/// also a real <c>milvusdb/milvus</c> standalone container (<see cref="MilvusStandalone"/>, the AppHost's image and settings)
/// when a container runtime answers. Each case's name says which one it ran on (<c>milvus: "fake"</c> or
/// <c>milvus: "milvus-container"</c>), and <see cref="MilvusTargetReportTests"/> prints why the container is missing.
/// Tests that need the fake's internals (metric changes, load polls, dropped fields, injected failures) stay facts on the
/// fake and carry <c>[Trait("Milvus", "fake-only")]</c>.
/// </summary>
public static class MilvusTargets
{
    public const string Fake = "fake";
    public const string Container = "milvus-container";

    private static readonly Lazy<Task<MilvusStandalone>> SharedContainer = new(() => MilvusStandalone.StartAsync());

    /// <summary>The targets of a contract case on this machine.</summary>
    public static TheoryData<string> All
    {
        get
        {
            var targets = new TheoryData<string> { Fake };
            if (TestServices.ContainerRuntimeAnswers())
            {
                targets.Add(Container);
            }
            return targets;
        }
    }

    /// <summary>One Milvus container for the test process (each context works in a database of its own); Testcontainers'
    /// resource reaper removes it when the process ends.</summary>
    public static Task<MilvusStandalone> ContainerAsync() => SharedContainer.Value;

    public static string Report => TestServices.ContainerRuntimeAnswers()
        ? $"Milvus contract suite: the fake and a real {MilvusStandalone.Image} container"
        : $"Milvus contract suite: the fake only (no container runtime answers; start Docker to also run every contract case against {MilvusStandalone.Image})";
}

/// <summary>Plain REST v2 calls to the real Milvus, beside the store under test: a database per test context, and what the
/// fake's model answers directly (row counts, ids, dimensions) asked of the real server instead.</summary>
internal sealed class MilvusRealServer(Uri endpoint, string database) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(2) };

    public string Database => database;

    public Task CreateDatabaseAsync() => PostAsync("databases/create", new JsonObject { ["dbName"] = database });

    /// <summary>Drops the collections of the database, then the database (Milvus keeps at most 64 databases).</summary>
    public async Task DropDatabaseAsync()
    {
        var listed = await PostAsync("collections/list", new JsonObject { ["dbName"] = database });
        foreach (var name in listed["data"]?.AsArray().Select(n => (string?)n).OfType<string>() ?? [])
        {
            await PostAsync("collections/drop", new JsonObject { ["dbName"] = database, ["collectionName"] = name });
        }
        await PostAsync("databases/drop", new JsonObject { ["dbName"] = database });
    }

    public async Task<bool> HasCollectionAsync(string collection) =>
        (bool)(await PostAsync("collections/has", Body(collection)))["data"]!["has"]!;

    public async Task<int> RowCountAsync(string collection)
    {
        var body = Body(collection);
        body["filter"] = "id != \"\"";
        body["outputFields"] = new JsonArray("count(*)");
        body["consistencyLevel"] = "Strong";
        var answer = await PostAsync("entities/query", body);
        return (int)(long)answer["data"]![0]!["count(*)"]!;
    }

    public async Task<IReadOnlyList<string>> RowIdsAsync(string collection)
    {
        var body = Body(collection);
        body["filter"] = "id != \"\"";
        body["outputFields"] = new JsonArray("id");
        body["limit"] = 16384;
        body["consistencyLevel"] = "Strong";
        var answer = await PostAsync("entities/query", body);
        return answer["data"]!.AsArray().Select(row => (string)row!["id"]!).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<int> DimensionAsync(string collection)
    {
        var fields = (await PostAsync("collections/describe", Body(collection)))["data"]!["fields"]!.AsArray();
        var vector = fields.Single(f => (string?)f!["type"] == "FloatVector")!;
        var dim = vector["params"]!.AsArray().Single(p => (string?)p!["key"] == "dim")!["value"]!;
        return int.Parse(dim.ToString(), CultureInfo.InvariantCulture);
    }

    private JsonObject Body(string collection) => new() { ["dbName"] = database, ["collectionName"] = collection };

    private async Task<JsonObject> PostAsync(string action, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync($"/v2/vectordb/{action}", body);
        response.EnsureSuccessStatusCode();
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var code = (int?)answer["code"] ?? -1;
        if (code is not 0 and not 200)
        {
            throw new InvalidOperationException($"Milvus {action} on {database} failed: {answer.ToJsonString()}");
        }
        return answer;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Prints which Milvus servers the contract cases ran against on this machine.</summary>
public sealed class MilvusTargetReportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void The_contract_suite_says_which_Milvus_it_runs_against()
    {
        output.WriteLine(MilvusTargets.Report);
        Console.WriteLine(MilvusTargets.Report);

        IEnumerable<object[]> rows = MilvusTargets.All;
        var targets = rows.Select(row => (string)row[0]).ToList();
        Assert.Equal(TestServices.ContainerRuntimeAnswers() ? [MilvusTargets.Fake, MilvusTargets.Container] : [MilvusTargets.Fake], targets);
    }
}
