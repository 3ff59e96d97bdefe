using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireMmRag.Gateway.Model;
using AspireMmRag.Gateway.Tests.Infrastructure;
using SkiaSharp;

namespace AspireMmRag.Gateway.Tests;

/// <summary>Images (bytes, caching headers, resized copies), models, health and the OpenAPI document.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ApiSurfaceTests(GatewayFixture fixture)
{
    [Fact]
    public async Task An_image_is_served_with_a_strong_etag_and_immutable_caching()
    {
        using var client = fixture.Gateway.CreateClient();
        var image = await FirstImageAsync(client);
        using var response = await client.GetAsync(image.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{image.ImageId}\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString().Replace("max-age", "max-age"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(image.ImageId, AspireMmRag.Media.MediaReference.For(bytes));

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, image.Url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal($"\"{image.ImageId}\"", head.Headers.ETag?.Tag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var again = new HttpRequestMessage(HttpMethod.Get, image.Url);
        again.Headers.IfNoneMatch.ParseAdd($"\"{image.ImageId}\"");
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task A_resized_copy_keeps_the_aspect_ratio_and_has_its_own_etag()
    {
        using var client = fixture.Gateway.CreateClient();
        var image = await FirstImageAsync(client);
        using var response = await client.GetAsync($"{image.Url}?width=48");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{image.ImageId}-w48\"", response.Headers.ETag?.Tag);
        using var bitmap = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(48, bitmap.Width);
        Assert.Equal(48, bitmap.Height);
    }

    [Fact]
    public async Task Models_report_the_embedder_and_the_missing_language_model()
    {
        using var client = fixture.Gateway.CreateClient();
        var models = (await client.GetFromJsonAsync<ModelsResponse>("/api/models"))!;
        Assert.Contains(models.Embedding, m => m.Name == "passage" && m.Available && m.Dimension == 384);
        Assert.Contains(models.Embedding, m => m.Name == "clip" && m.Available);
        Assert.Equal("none", models.Llm.Provider);
        Assert.False(models.Llm.Available);
        Assert.False(string.IsNullOrWhiteSpace(models.Llm.Reason));
    }

    [Fact]
    public async Task Health_stays_ready_without_a_language_model_and_says_why()
    {
        using var client = fixture.Gateway.CreateClient();
        using var response = await client.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("llm", body);
        Assert.Contains("retrieval", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_openapi_document_lists_every_endpoint()
    {
        using var client = fixture.Gateway.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/ask", paths);
        Assert.Contains("/api/search", paths);
        Assert.Contains("/api/search/image", paths);
        Assert.Contains("/api/images/{imageId}", paths);
        Assert.Contains("/api/models", paths);
        using var scalar = await client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
    }

    [Fact]
    public async Task Json_is_camel_case()
    {
        using var client = fixture.Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/search", new SearchRequest { Query = "red tram" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"documentId\"", body);
        Assert.DoesNotContain("\"DocumentId\"", body);
    }

    private static async Task<ImageHit> FirstImageAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/search", new SearchRequest { Query = "a red tram in the city centre", Modality = "image" });
        var result = (await response.Content.ReadFromJsonAsync<SearchResponse>())!;
        return Assert.Single(result.Images.Take(1));
    }
}
