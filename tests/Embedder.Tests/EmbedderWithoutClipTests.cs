using AspireMmRag.Embedding.Grpc;
using Grpc.Core;

namespace AspireMmRag.Embedder.Tests;

/// <summary>No CLIP weights on the machine (as here, offline): passages still work and image calls say why they cannot.</summary>
public sealed class EmbedderWithoutClipTests(NoClipEmbedderFixture fixture) : IClassFixture<NoClipEmbedderFixture>
{
    [Fact]
    public async Task Describe_says_clip_is_unavailable_and_why()
    {
        var response = await fixture.Client.DescribeModelsAsync(new DescribeModelsRequest());

        var clip = response.Models.Single(m => m.Name == "clip");
        Assert.False(clip.Available);
        Assert.Contains("Image embeddings are unavailable", clip.UnavailableReason);
        Assert.Contains(fixture.Clip.Path, clip.UnavailableReason);
        Assert.True(response.Models.Single(m => m.Name == "passage").Available);
    }

    [Fact]
    public async Task Image_calls_fail_with_failed_precondition_never_fake_vectors()
    {
        var request = new EmbedImagesRequest();
        request.Images.Add(Google.Protobuf.ByteString.CopyFrom(TestImages.SolidPng(255, 0, 0)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.EmbedImagesAsync(request));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("unavailable", error.Status.Detail);
    }

    [Fact]
    public async Task Clip_text_calls_fail_the_same_way()
    {
        var request = new EmbedTextsRequest { Model = "clip" };
        request.Texts.Add("a red square");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.EmbedTextsAsync(request));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task Passages_still_embed()
    {
        var request = new EmbedTextsRequest { Model = "passage", Kind = TextKind.Passage };
        request.Texts.Add("Helsinki Cathedral is a landmark of the city.");

        var response = await fixture.Client.EmbedTextsAsync(request);
        Assert.Equal(384, response.Dimension);
    }

    [Fact]
    public async Task Health_stays_healthy_but_says_image_embeddings_are_unavailable()
    {
        using var http = fixture.Host.CreateDefaultClient();
        var body = await http.GetStringAsync("/health");

        Assert.Contains("\"status\":\"Healthy\"", body);
        Assert.Contains("\"image_embeddings\":\"unavailable\"", body);
        Assert.Contains("image embeddings unavailable", body);
    }
}
