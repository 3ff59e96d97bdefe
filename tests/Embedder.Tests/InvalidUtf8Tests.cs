using AspireMmRag.Embedding.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace AspireMmRag.Embedder.Tests;

/// <summary>A string field that is not UTF-8 fails while the request is parsed, before the service runs: the embedder answers
/// INVALID_ARGUMENT and logs one warning per such request, with no error-level stack trace.</summary>
public sealed class InvalidUtf8Tests(ReliabilityEmbedderFixture fixture) : IClassFixture<ReliabilityEmbedderFixture>
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);
    private static readonly Method<byte[], byte[]> RawEmbedTexts = new(MethodType.Unary, "aspiremmrag.embedding.v1.Embedder", "EmbedTexts", Raw, Raw);

    [Fact]
    public async Task A_text_holding_invalid_utf8_is_invalid_argument_logged_once_as_a_warning()
    {
        // EmbedTextsRequest by hand: field 1 (model) = "passage", field 3 (texts) = 0xC3 0x28 (a lead byte, then no continuation).
        byte[] request = [0x0A, 7, .. "passage"u8.ToArray(), 0x1A, 2, 0xC3, 0x28];
        var before = fixture.Host.Logs.Entries.Count;

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Host.Channel().CreateCallInvoker().AsyncUnaryCall(RawEmbedTexts, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("UTF-8", error.Status.Detail);
        var logged = fixture.Host.Logs.Entries.Skip(before).ToArray();
        Assert.DoesNotContain(logged, entry => entry.Level >= LogLevel.Error);
        var warning = Assert.Single(logged, entry => entry.Level == LogLevel.Warning);
        Assert.Contains("UTF-8", warning.Message);
        Assert.Null(warning.Exception);

        // The same request with valid UTF-8 is served.
        byte[] valid = [0x0A, 7, .. "passage"u8.ToArray(), 0x1A, 2, 0xC3, 0xA9];
        var answer = EmbedResponse.Parser.ParseFrom(await fixture.Host.Channel().CreateCallInvoker().AsyncUnaryCall(RawEmbedTexts, null, new CallOptions(), valid).ResponseAsync);
        Assert.Equal(384, answer.Dimension);
    }
}
