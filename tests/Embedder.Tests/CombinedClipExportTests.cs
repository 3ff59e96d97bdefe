using AspireMmRag.Embedding.Grpc;

namespace AspireMmRag.Embedder.Tests;

/// <summary>The combined <c>model.onnx</c> layout (every run needs text and pixels) loads through the same code.</summary>
public sealed class CombinedClipExportTests(CombinedClipEmbedderFixture fixture) : IClassFixture<CombinedClipEmbedderFixture>
{
    [Fact]
    public async Task Combined_export_serves_text_and_images_with_colour_retrieval()
    {
        var colours = TestImages.Colours.Keys.ToArray();
        var images = new EmbedImagesRequest();
        images.Images.AddRange(colours.Select(c => Google.Protobuf.ByteString.CopyFrom(TestImages.SolidPng(TestImages.Colours[c].R, TestImages.Colours[c].G, TestImages.Colours[c].B))));
        var texts = new EmbedTextsRequest { Model = "clip" };
        texts.Texts.AddRange(colours.Select(c => $"a {c} square"));

        var imageVectors = (await fixture.Client.EmbedImagesAsync(images)).Vectors;
        var textVectors = (await fixture.Client.EmbedTextsAsync(texts)).Vectors;

        for (var t = 0; t < colours.Length; t++)
        {
            var scores = imageVectors.Select(image => VectorAssert.Cosine(textVectors[t].Values, image.Values)).ToArray();
            Assert.Equal(t, Array.IndexOf(scores, scores.Max()));
        }
        var description = await fixture.Client.DescribeModelsAsync(new DescribeModelsRequest());
        Assert.Equal(512, description.Models.Single(m => m.Name == "clip").Dimension);
    }
}
