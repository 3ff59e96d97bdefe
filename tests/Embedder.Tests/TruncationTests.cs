using System.Diagnostics.Metrics;
using AspireMmRag.Embedding.Grpc;
using Microsoft.Extensions.DependencyInjection;

namespace AspireMmRag.Embedder.Tests;

/// <summary>The passage model takes 510 WordPiece tokens between [CLS] and [SEP]: longer texts are cut, and the embedder says
/// so per vector (<c>Vector.truncated</c>, <c>EmbedResponse.truncated_count</c>) and in the <c>embedder.truncated</c> counter.</summary>
public sealed class TruncationTests(ReliabilityEmbedderFixture fixture) : IClassFixture<ReliabilityEmbedderFixture>
{
    [Fact]
    public async Task Texts_longer_than_the_model_takes_are_flagged_and_counted()
    {
        var counted = 0L;
        var meters = fixture.Host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "embedder.truncated" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();

        var exactly510 = string.Join(' ', Enumerable.Repeat("river", 510));   // "river" is one token: fits exactly
        var over = string.Join(' ', Enumerable.Repeat("river", 511));         // one token too many
        var request = new EmbedTextsRequest { Model = "passage", Kind = TextKind.Passage };
        request.Texts.AddRange(["a short passage about rivers", exactly510 + "  \n", over, "river " + over]);

        var response = await fixture.Client.EmbedTextsAsync(request);

        Assert.Equal([false, false, true, true], response.Vectors.Select(v => v.Truncated));
        Assert.Equal(2, response.TruncatedCount);
        Assert.Equal(2, Interlocked.Read(ref counted));
    }

    [Fact]
    public async Task Queries_and_clip_texts_within_their_limits_are_not_flagged()
    {
        var query = new EmbedTextsRequest { Model = "passage", Kind = TextKind.Query };
        query.Texts.Add("where does the river meet the sea");
        var clip = new EmbedTextsRequest { Model = "clip" };
        clip.Texts.Add("a photo of a red square");

        Assert.False((await fixture.Client.EmbedTextsAsync(query)).Vectors.Single().Truncated);
        var clipResponse = await fixture.Client.EmbedTextsAsync(clip);
        Assert.False(clipResponse.Vectors.Single().Truncated);
        Assert.Equal(0, clipResponse.TruncatedCount);
    }
}
