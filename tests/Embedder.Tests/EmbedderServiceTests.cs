using System.Diagnostics.Metrics;
using AspireMmRag.Embedding.Grpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Embedder.Tests;

/// <summary>The gRPC service in-process with arctic-embed-xs and the split CLIP test export.</summary>
public sealed class EmbedderServiceTests(SplitClipEmbedderFixture fixture) : IClassFixture<SplitClipEmbedderFixture>
{
    private Embedding.Grpc.Embedder.EmbedderClient Client => fixture.Client;

    [Fact]
    public async Task Describe_reports_both_models_with_dimension_provider_and_token_limit()
    {
        var response = await Client.DescribeModelsAsync(new DescribeModelsRequest());

        var passage = response.Models.Single(m => m.Name == "passage");
        Assert.True(passage.Available);
        Assert.Equal("snowflake-arctic-embed-xs", passage.ModelId);
        Assert.Equal(384, passage.Dimension);
        Assert.Equal(512, passage.MaxTokens);
        Assert.Equal("CPU", passage.ExecutionProvider);

        var clip = response.Models.Single(m => m.Name == "clip");
        Assert.True(clip.Available);
        Assert.Equal(512, clip.Dimension);
        Assert.Equal(77, clip.MaxTokens);
        Assert.Equal("CPU", clip.ExecutionProvider);
        Assert.Equal(["text", "image"], clip.Modalities);
        Assert.False(string.IsNullOrEmpty(response.Replica));
    }

    [Fact]
    public async Task Passage_query_ranks_the_relevant_passage_above_unrelated_ones()
    {
        string[] passages =
        [
            "The iPhone is a line of smartphones designed and marketed by Apple Inc.",
            "Helsinki is the capital and most populous city of Finland, on the shore of the Gulf of Finland.",
            "The Sopranos is an American crime drama television series created by David Chase.",
            "Photosynthesis converts light energy into chemical energy in plants.",
        ];
        var passageVectors = await EmbedAsync("passage", TextKind.Passage, passages);
        var query = (await EmbedAsync("passage", TextKind.Query, ["What is the capital of Finland?"]))[0];

        var scores = passageVectors.Select(p => VectorAssert.Cosine(query, p)).ToArray();
        var best = Array.IndexOf(scores, scores.Max());
        Assert.Equal(1, best);
        Assert.True(scores[1] - scores.Where((_, i) => i != 1).Max() > 0.05f, $"scores: {string.Join(", ", scores)}");
        foreach (var vector in passageVectors)
        {
            VectorAssert.UnitLength(vector);
        }
    }

    [Fact]
    public async Task Query_kind_applies_the_models_query_prefix()
    {
        const string text = "tourist attractions in Helsinki";
        var asQuery = (await EmbedAsync("passage", TextKind.Query, [text]))[0];
        var asPassage = (await EmbedAsync("passage", TextKind.Passage, [text]))[0];
        var prefixedPassage = (await EmbedAsync("passage", TextKind.Passage, ["Represent this sentence for searching relevant passages: " + text]))[0];

        Assert.True(VectorAssert.Cosine(asQuery, asPassage) < 0.999f);
        VectorAssert.Close(prefixedPassage, asQuery, 1e-4f);
    }

    [Fact]
    public async Task Clip_text_lands_nearest_the_image_of_its_colour()
    {
        var colours = TestImages.Colours.Keys.ToArray();
        var request = new EmbedImagesRequest { Model = "clip" };
        request.Images.AddRange(colours.Select(c => Google.Protobuf.ByteString.CopyFrom(TestImages.SolidPng(TestImages.Colours[c].R, TestImages.Colours[c].G, TestImages.Colours[c].B))));
        var images = (await Client.EmbedImagesAsync(request)).Vectors.Select(v => v.Values.ToArray()).ToArray();
        var texts = await EmbedAsync("clip", TextKind.Unspecified, colours.Select(c => $"a {c} square").ToArray());

        for (var t = 0; t < colours.Length; t++)
        {
            var scores = images.Select(image => VectorAssert.Cosine(texts[t], image)).ToArray();
            Assert.Equal(t, Array.IndexOf(scores, scores.Max()));
            VectorAssert.UnitLength(texts[t]);
            VectorAssert.UnitLength(images[t]);
        }
    }

    [Fact]
    public async Task Jpeg_and_png_of_the_same_colour_embed_alike()
    {
        var request = new EmbedImagesRequest();
        request.Images.Add(Google.Protobuf.ByteString.CopyFrom(TestImages.SolidPng(0, 0, 255)));
        request.Images.Add(Google.Protobuf.ByteString.CopyFrom(TestImages.SolidJpeg(0, 0, 255)));
        var response = await Client.EmbedImagesAsync(request);

        Assert.Equal("clip", response.Model);
        Assert.True(VectorAssert.Cosine(response.Vectors[0].Values, response.Vectors[1].Values) > 0.99f);
    }

    [Fact]
    public async Task Concurrent_single_item_calls_are_batched_and_match_unbatched_results()
    {
        var texts = Enumerable.Range(0, 48).Select(i => $"passage number {i} about {(i % 3 == 0 ? "the harbour of Helsinki" : i % 3 == 1 ? "mobile phones" : "television drama")}").ToArray();
        var alone = new float[texts.Length][];
        for (var i = 0; i < texts.Length; i++)
        {
            alone[i] = (await EmbedAsync("passage", TextKind.Passage, [texts[i]]))[0];
        }

        var batchSizes = new List<int>();
        using var listener = ListenToBatchSizes(batchSizes, "passage");
        var together = await Task.WhenAll(texts.Select(text => EmbedAsync("passage", TextKind.Passage, [text])));

        lock (batchSizes)
        {
            Assert.Equal(texts.Length, batchSizes.Sum());
            Assert.Contains(batchSizes, size => size > 1);
        }
        for (var i = 0; i < texts.Length; i++)
        {
            VectorAssert.Close(alone[i], together[i][0], 1e-4f);
        }
    }

    [Fact]
    public async Task Concurrent_image_calls_are_batched_too()
    {
        var batchSizes = new List<int>();
        using var listener = ListenToBatchSizes(batchSizes, "clip-image");
        var png = Google.Protobuf.ByteString.CopyFrom(TestImages.SolidPng(255, 255, 0));
        var calls = Enumerable.Range(0, 24).Select(async _ =>
        {
            var request = new EmbedImagesRequest();
            request.Images.Add(png);
            return (await Client.EmbedImagesAsync(request)).Vectors[0].Values.ToArray();
        });
        var results = await Task.WhenAll(calls);

        lock (batchSizes)
        {
            Assert.Equal(24, batchSizes.Sum());
            Assert.Contains(batchSizes, size => size > 1);
        }
        Assert.All(results, r => VectorAssert.Close(results[0], r, 1e-5f));
    }

    [Fact]
    public async Task A_cancelled_call_ends_with_cancelled_status()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var request = new EmbedTextsRequest { Model = "passage" };
        request.Texts.Add("never embedded");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client.EmbedTextsAsync(request, cancellationToken: cancelled.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    public static TheoryData<string, string[], string> BadTextRequests => new()
    {
        { "passage", [], "no texts" },
        { "passage", [""], "empty" },
        { "passage", ["   "], "empty" },
        { "clip", ["fine", ""], "Text 1 is empty" },
        { "passage", [new string('x', 2001)], "2001 characters" },
        { "passage", Enumerable.Repeat("t", 65).ToArray(), "65 texts" },
        { "bert-large", ["hello"], "Unknown model 'bert-large'" },
    };

    [Theory]
    [MemberData(nameof(BadTextRequests))]
    public async Task Bad_text_requests_get_invalid_argument_with_a_clear_message(string model, string[] texts, string expected)
    {
        var request = new EmbedTextsRequest { Model = model };
        request.Texts.AddRange(texts);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client.EmbedTextsAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        await StillServesAsync();
    }

    public static TheoryData<string, byte[], string> BadImages()
    {
        var png = TestImages.SolidPng(10, 20, 30, 400, 300);
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        return new()
        {
            { "empty", [], "empty" },
            { "garbage", random, "Image 0" },
            { "truncated", png[..(png.Length / 2)], "Image 0" },
            { "too many bytes", new byte[2_000_001], "bytes" },
            { "too many pixels", TestImages.SolidPng(1, 2, 3, 2100, 2000), "Image 0" },
        };
    }

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task Bad_images_get_invalid_argument_and_the_service_stays_up(string name, byte[] image, string expected)
    {
        var request = new EmbedImagesRequest { Model = "clip" };
        request.Images.Add(Google.Protobuf.ByteString.CopyFrom(image));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client.EmbedImagesAsync(request));

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{name}: {error.StatusCode} {error.Status.Detail}");
        Assert.Contains(expected, error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        await StillServesAsync();
    }

    [Fact]
    public async Task Unknown_image_model_gets_invalid_argument()
    {
        var request = new EmbedImagesRequest { Model = "passage" };
        request.Images.Add(Google.Protobuf.ByteString.CopyFrom(TestImages.SolidPng(1, 1, 1)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client.EmbedImagesAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Health_reports_both_models()
    {
        using var http = fixture.Host.CreateDefaultClient();
        var body = await http.GetStringAsync("/health");

        Assert.Contains("\"status\":\"Healthy\"", body);
        Assert.Contains("\"image_embeddings\":\"available\"", body);
        Assert.Contains("snowflake-arctic-embed-xs", body);
    }

    private async Task StillServesAsync()
    {
        var vectors = await EmbedAsync("clip", TextKind.Unspecified, ["still alive"]);
        Assert.Single(vectors);
    }

    private async Task<float[][]> EmbedAsync(string model, TextKind kind, IReadOnlyList<string> texts)
    {
        var request = new EmbedTextsRequest { Model = model, Kind = kind };
        request.Texts.AddRange(texts);
        var response = await Client.EmbedTextsAsync(request);
        Assert.Equal(texts.Count, response.Vectors.Count);
        return response.Vectors.Select(v => v.Values.ToArray()).ToArray();
    }

    private MeterListener ListenToBatchSizes(List<int> sizes, string lane)
    {
        var meterFactory = fixture.Host.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "embedder.batch.size" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "lane" && Equals(tag.Value, lane))
                {
                    lock (sizes)
                    {
                        sizes.Add(value);
                    }
                }
            }
        });
        listener.Start();
        return listener;
    }
}
