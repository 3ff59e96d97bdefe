using AspireMmRag.Embedder.Batching;
using AspireMmRag.Embedding.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace AspireMmRag.Embedder.Tests;

/// <summary>The image lane is bounded in bytes of decoded tensors (Batching:MaxQueuedImageBytes), reserved before decoding.</summary>
public sealed class ImageByteBudgetTests(ReliabilityEmbedderFixture fixture) : IClassFixture<ReliabilityEmbedderFixture>
{
    [Fact]
    public async Task A_call_over_the_byte_budget_is_refused_before_any_image_is_decoded()
    {
        // Three corrupt images: decoding would say INVALID_ARGUMENT; the budget (two tensors) refuses first.
        var request = new EmbedImagesRequest { Model = "clip" };
        request.Images.AddRange(Enumerable.Range(0, 3).Select(i => ByteString.CopyFrom([0x00, 0x01, (byte)i])));

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.EmbedImagesAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("clip-image queue is full", error.Status.Detail);
        Assert.Contains("bytes", error.Status.Detail);
    }

    [Fact]
    public async Task Calls_within_the_budget_embed_and_give_their_bytes_back()
    {
        for (var round = 0; round < 3; round++)
        {
            var request = new EmbedImagesRequest { Model = "clip" };
            request.Images.Add(ByteString.CopyFrom(TestImages.SolidPng(200, 10, 10)));
            request.Images.Add(ByteString.CopyFrom(TestImages.SolidPng(10, 10, 200)));
            var response = await fixture.Client.EmbedImagesAsync(request);
            Assert.Equal(2, response.Vectors.Count);
        }

        // A corrupt image within the budget is still a bad image, and its bytes are released too.
        var corrupt = new EmbedImagesRequest { Model = "clip" };
        corrupt.Images.Add(ByteString.CopyFrom([1, 2, 3]));
        corrupt.Images.Add(ByteString.CopyFrom([4, 5, 6]));
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => fixture.Client.EmbedImagesAsync(corrupt).ResponseAsync)).StatusCode);
        var again = new EmbedImagesRequest { Model = "clip" };
        again.Images.Add(ByteString.CopyFrom(TestImages.SolidPng(10, 200, 10)));
        again.Images.Add(ByteString.CopyFrom(TestImages.SolidPng(10, 200, 10)));
        Assert.Equal(2, (await fixture.Client.EmbedImagesAsync(again)).Vectors.Count);
    }

    [Fact]
    public void A_budget_refuses_what_does_not_fit_and_takes_it_again_once_released()
    {
        var budget = new ByteBudget("clip-image", 100);
        var first = budget.Reserve(60);
        var refused = Assert.Throws<QueueFullException>(() => budget.Reserve(41));
        Assert.Contains("60 of 100 bytes held, this call needs 41", refused.Message);
        Assert.Equal(60, budget.Held);

        first.Dispose();
        first.Dispose(); // releasing twice gives back once
        Assert.Equal(0, budget.Held);
        using var second = budget.Reserve(100);
        Assert.Equal(100, budget.Held);
    }
}
