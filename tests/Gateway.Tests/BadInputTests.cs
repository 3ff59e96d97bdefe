using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Infrastructure;
using AspireMmRag.TestModels;

namespace AspireMmRag.Gateway.Tests;

/// <summary>Every kind of bad input gets its 4xx (or 503 for a dependency that is down) as <c>application/problem+json</c>
/// with a useful detail, and the gateway goes on serving.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BadInputTests(GatewayFixture fixture)
{
    private static readonly byte[] Png = TestImages.SolidPng(255, 0, 0, 64, 64);

    private static readonly Dictionary<string, (HttpStatusCode Status, Func<HttpClient, Task<HttpResponseMessage>> Send)> Cases = new()
    {
        ["empty question"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = "" })),
        ["whitespace question"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = "   \n\t " })),
        ["missing question"] = (HttpStatusCode.BadRequest, c => Ask(c, new { topK = 3 })),
        ["question over 4000 characters"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = new string('a', 4001) })),
        ["invalid JSON"] = (HttpStatusCode.BadRequest, c => Raw(c, "/api/ask", "{\"question\": \"Helsinki", "application/json")),
        ["JSON of the wrong shape"] = (HttpStatusCode.BadRequest, c => Raw(c, "/api/ask", "{\"question\": 42}", "application/json")),
        ["body that is not UTF-8"] = (HttpStatusCode.BadRequest, c => Bytes(c, "/api/ask", [(byte)'{', (byte)'"', (byte)'q', (byte)'u', (byte)'e', (byte)'s', (byte)'t', (byte)'i', (byte)'o', (byte)'n', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}'], "application/json")),
        ["topK 0"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = "Helsinki", topK = 0 })),
        ["topK 21"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = "Helsinki", topK = 21 })),
        ["imageTopK 11"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = "Helsinki", imageTopK = 11 })),
        ["history turn with an unknown role"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = "Helsinki", history = new[] { new { role = "system", content = "x" } } })),
        ["unknown document ids"] = (HttpStatusCode.BadRequest, c => Ask(c, new { question = "Helsinki", documentIds = new[] { "folder:corpus/nowhere.md" } })),
        ["search with an unknown modality"] = (HttpStatusCode.BadRequest, c => c.PostAsJsonAsync("/api/search", new { query = "Helsinki", modality = "video" })),
        ["search with an unknown passage mode"] = (HttpStatusCode.BadRequest, c => c.PostAsJsonAsync("/api/search", new { query = "Helsinki", mode = "fuzzy" })),
        ["search with an empty query"] = (HttpStatusCode.BadRequest, c => c.PostAsJsonAsync("/api/search", new { query = " " })),
        ["upload over the size limit"] = (HttpStatusCode.RequestEntityTooLarge, c => Upload(c, new byte[11 * 1024 * 1024])),
        ["empty upload"] = (HttpStatusCode.BadRequest, c => Upload(c, [])),
        ["truncated image"] = (HttpStatusCode.UnsupportedMediaType, c => Upload(c, Png[..(Png.Length / 2)])),
        ["upload that is not an image"] = (HttpStatusCode.UnsupportedMediaType, c => Upload(c, Encoding.UTF8.GetBytes("GIF89a? no, plain text pretending"))),
        ["upload without a file field"] = (HttpStatusCode.BadRequest, c => c.PostAsync("/api/search/image", new MultipartFormDataContent { { new StringContent("4"), "topK" } })),
        ["upload that is not a form"] = (HttpStatusCode.UnsupportedMediaType, c => Bytes(c, "/api/search/image", Png, "image/png")),
        ["unknown image id"] = (HttpStatusCode.NotFound, c => c.GetAsync($"/api/images/{new string('0', 64)}")),
        ["image id that is not a hash"] = (HttpStatusCode.BadRequest, c => c.GetAsync("/api/images/..%2F..%2Fetc%2Fpasswd")),
        ["image width out of range"] = (HttpStatusCode.BadRequest, c => c.GetAsync($"/api/images/{new string('0', 64)}?width=5000")),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Bad_input_gets_a_problem_response(string name)
    {
        var (status, send) = Cases[name];
        using var client = fixture.Gateway.CreateClient();
        using var response = await send(client);
        await AssertProblemAsync(response, status);

        // Still serving.
        using var search = await client.PostAsJsonAsync("/api/search", new SearchRequest { Query = "Helsinki" });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
    }

    [Fact]
    public async Task The_embedder_down_is_a_503_with_retry_after()
    {
        await using var gateway = new GatewayApp(fixture.Settings(
            ("services:embedder:http:0", $"http://127.0.0.1:{FreePorts.Next()}"),
            ("EmbedderClient:CallTimeout", "00:00:03"),
            ("EmbedderClient:MaxAttempts", "1")));
        using var client = gateway.CreateClient();
        using var response = await Ask(client, new { question = "Helsinki" });
        var problem = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("embedder", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_store_down_is_a_503()
    {
        await using var gateway = new GatewayApp(fixture.Settings(
            ("VectorStore:Provider", "Milvus"),
            ("VectorStore:Milvus:Endpoint", $"http://127.0.0.1:{FreePorts.Next()}"),
            ("VectorStore:Milvus:RequestTimeout", "00:00:03")));
        using var client = gateway.CreateClient();
        using var response = await Ask(client, new { question = "Helsinki" });
        var problem = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("vector store", problem.GetProperty("detail").GetString());
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), body);
        return problem;
    }

    private static Task<HttpResponseMessage> Ask(HttpClient client, object body) => client.PostAsJsonAsync("/api/ask", body);

    private static Task<HttpResponseMessage> Raw(HttpClient client, string path, string body, string contentType) =>
        client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    private static Task<HttpResponseMessage> Bytes(HttpClient client, string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return client.PostAsync(path, content);
    }

    private static Task<HttpResponseMessage> Upload(HttpClient client, byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return client.PostAsync("/api/search/image", new MultipartFormDataContent { { file, "file", "upload.png" } });
    }
}
